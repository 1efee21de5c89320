import { type EntityType, type RowError, RowErrorCode } from '@ferry/contracts';
import { type Queryable } from '@ferry/persistence';

/**
 * How an entity type's import is undone (docs/API.md §5): the table, and whether its import only
 * inserts (events, prices: a revert deletes the rows carrying the task's id) or upserts by a key
 * (customers, features: the rows it created are deleted, those it changed get their before-image
 * back, unless a later task changed them since: those are kept and listed).
 */
export interface RevertShape {
  table: 'events' | 'prices' | 'customers' | 'features';
  kind: 'inserted' | 'upserted';
  /** The upsert's key column, shown in the list of kept rows. */
  key?: string;
  /** Columns a before-image restores (besides `task_id`; never the id or key). */
  restore?: readonly string[];
  /** Features: their inline meters are restored with them, and deleted with a created one. */
  meters?: boolean;
}

/** The original import a revert undoes, as its task row says. */
export interface RevertTarget {
  taskId: string;
  entity: EntityType;
  tenantId: string;
  environmentId: string;
}

/** What a revert did, or (preview) would do. */
export interface RevertOutcome {
  /** Rows deleted (created by the import). */
  deleted: number;
  /** Rows given back their before-image. */
  restored: number;
  /** Rows left as they are because a later task changed them. */
  kept: KeptRow[];
}

export interface KeptRow {
  id: string;
  key: string | null;
  /** The task that changed the row since. */
  changed_by: string | null;
}

const METER_COLUMNS = [
  'name',
  'event_name',
  'aggregation_type',
  'aggregation_field',
  'aggregation_multiplier',
  'aggregation_bucket_size',
  'reset_usage',
];

/** How many kept rows a preview lists (the revert itself lists every one in its /errors). */
export const PREVIEW_KEPT_ROWS = 100;

/**
 * Rows the import touched that a later task changed since: rows it changed (a before-image) and
 * rows it created (a later task's before-image names it), whose `task_id` is no longer the import's.
 */
function keptSql(shape: RevertShape, limit: string): string {
  const t = shape.table;
  const key = shape.key ? `r.${shape.key}` : 'NULL';
  return `SELECT r.id, ${key} AS key, r.task_id AS changed_by FROM ${t} r
    WHERE r.environment_id = $2 AND r.task_id IS DISTINCT FROM $1 AND (
      EXISTS (SELECT 1 FROM import_before_images i
              WHERE i.task_id = $1 AND i.entity_type = $3 AND i.row_id = r.id)
      OR EXISTS (SELECT 1 FROM import_before_images l
                 WHERE l.entity_type = $3 AND l.row_id = r.id AND l.task_id <> $1
                   AND l.image->>'task_id' = $1
                   AND NOT EXISTS (SELECT 1 FROM import_before_images i
                                   WHERE i.task_id = $1 AND i.entity_type = $3 AND i.row_id = r.id)))
    ORDER BY r.id ${limit}`;
}

const CREATED_WHERE = `r.environment_id = $2 AND r.task_id = $1 AND NOT EXISTS (SELECT 1 FROM import_before_images i
     WHERE i.task_id = $1 AND i.entity_type = $3 AND i.row_id = r.id)`;

/** What a revert of `target` would do now, without changing anything. */
export async function previewRevert(
  db: Queryable,
  shape: RevertShape,
  target: RevertTarget,
): Promise<RevertOutcome & { keptCount: number }> {
  const p = [target.taskId, target.environmentId, target.entity];
  const t = shape.table;
  if (shape.kind === 'inserted') {
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${t} WHERE environment_id = $2 AND task_id = $1`,
      p.slice(0, 2),
    );
    return { deleted: Number(rows[0].n), restored: 0, kept: [], keptCount: 0 };
  }
  const created = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${t} r WHERE ${CREATED_WHERE}`,
    p,
  );
  const restored = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${t} r JOIN import_before_images i
       ON i.task_id = $1 AND i.entity_type = $3 AND i.row_id = r.id
     WHERE r.environment_id = $2 AND r.task_id = $1`,
    p,
  );
  const kept = await db.query<KeptRow>(keptSql(shape, `LIMIT ${PREVIEW_KEPT_ROWS}`), p);
  const keptCount = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM (${keptSql(shape, '')}) k`,
    p,
  );
  return {
    deleted: Number(created.rows[0].n),
    restored: Number(restored.rows[0].n),
    kept: kept.rows,
    keptCount: Number(keptCount.rows[0].n),
  };
}

/**
 * Undoes `target` in the caller's transaction (the revert task commits it with its checkpoint,
 * so it happens once: docs/ARCHITECTURE.md invariant 2). Kept rows are listed first, before the
 * restores move `task_id` away from the import's.
 */
export async function applyRevert(
  db: Queryable,
  shape: RevertShape,
  target: RevertTarget,
): Promise<RevertOutcome> {
  const p = [target.taskId, target.environmentId, target.entity];
  const t = shape.table;
  if (shape.kind === 'inserted') {
    const del = await db.query(
      `DELETE FROM ${t} WHERE environment_id = $2 AND task_id = $1`,
      p.slice(0, 2),
    );
    return { deleted: del.rowCount ?? 0, restored: 0, kept: [] };
  }
  const kept = (await db.query<KeptRow>(keptSql(shape, ''), p)).rows;
  const cols = [...(shape.restore ?? []), 'task_id'];
  if (shape.meters) {
    await db.query(
      `UPDATE meters m SET ${METER_COLUMNS.map((c) => `${c} = b.${c}`).join(', ')}, updated_at = now()
       FROM import_before_images i, jsonb_populate_record(NULL::meters, i.image) b
       WHERE i.task_id = $1 AND i.entity_type = 'METERS' AND m.id = i.row_id AND m.environment_id = $2
         AND EXISTS (SELECT 1 FROM features f WHERE f.meter_id = m.id AND f.task_id = $1)`,
      p.slice(0, 2),
    );
  }
  const restored = await db.query(
    `UPDATE ${t} r SET ${cols.map((c) => `${c} = b.${c}`).join(', ')}, updated_at = now()
     FROM import_before_images i, jsonb_populate_record(NULL::${t}, i.image) b
     WHERE i.task_id = $1 AND i.entity_type = $3 AND r.id = i.row_id
       AND r.environment_id = $2 AND r.task_id = $1`,
    p,
  );
  const deleted = await db.query<{ meter_id?: string | null }>(
    `DELETE FROM ${t} r WHERE ${CREATED_WHERE} RETURNING ${shape.meters ? 'r.meter_id' : 'r.id'}`,
    p,
  );
  if (shape.meters) {
    const meters = deleted.rows.map((r) => r.meter_id).filter((m): m is string => !!m);
    if (meters.length > 0) {
      // A meter the import created with its feature goes with it, unless something uses it now.
      await db.query(
        `DELETE FROM meters m WHERE m.id = ANY($2::text[]) AND m.environment_id = $3
           AND NOT EXISTS (SELECT 1 FROM import_before_images i
                           WHERE i.task_id = $1 AND i.entity_type = 'METERS' AND i.row_id = m.id)
           AND NOT EXISTS (SELECT 1 FROM features f WHERE f.meter_id = m.id)
           AND NOT EXISTS (SELECT 1 FROM prices pr WHERE pr.meter_id = m.id)`,
        [target.taskId, meters, target.environmentId],
      );
    }
  }
  return { deleted: deleted.rowCount ?? 0, restored: restored.rowCount ?? 0, kept };
}

/** A kept row as the revert's `/errors` lists it (numbered 1, 2, … in id order). */
export function keptRowError(row: KeptRow, n: number, shape: RevertShape): RowError {
  return {
    row_number: n,
    code: RowErrorCode.ALREADY_EXISTS,
    message: `kept: ${shape.table} row ${row.id}${row.key ? ` (${shape.key} ${row.key})` : ''} was changed since by task ${row.changed_by ?? 'unknown'}, so it was not reverted`,
    raw: { id: row.id, [shape.key ?? 'key']: row.key ?? '', changed_by: row.changed_by ?? '' },
  };
}
