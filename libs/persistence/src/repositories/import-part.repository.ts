import { type Queryable } from '../pg-client.helper';
import {
  type Checkpoint,
  CHECKPOINT_COLUMNS,
  type CheckpointAdvance,
  CheckpointFencedError,
  type CheckpointRow,
  toCheckpoint,
} from './checkpoint.repository';
import { type ImportFigures } from './task-row-warning.repository';

/** How a split import's file is cut (docs/DECISIONS.md 128), kept on part 0's checkpoint. */
export interface ImportPlan {
  /** The header record's bytes (a BOM included): every part reads them before its range. */
  header: Buffer;
  headerLines: number;
  /** Data records the boundary scan counted: `total_records` while the parts run. */
  plannedRecords: number;
  /** The file's ETag or Last-Modified when it was scanned (sent as If-Range by each part). */
  validator: string | null;
  parts: Array<{ start: number; end: number; firstLine: number }>;
}

/** One part's checkpoint and its byte range. */
export interface PartCheckpoint extends Checkpoint {
  rangeStart: number;
  rangeEnd: number;
  firstLine: number;
}

/** Part 0 of a split import: the task's sums over its parts, its seq, and its figures. */
export interface TaskSums extends Checkpoint {
  figures: ImportFigures;
  plannedRecords: number | null;
}

/** One batch's share of the task's sums. */
export interface SumsAdvance extends CheckpointAdvance {
  figures: ImportFigures;
}

const SUM_COLUMNS = `${CHECKPOINT_COLUMNS}, warnings, created, updated, unchanged, planned_records`;

type SumsRow = CheckpointRow &
  Record<keyof ImportFigures, string> & {
    planned_records: string | null;
  };

function toSums(r: SumsRow): TaskSums {
  return {
    ...toCheckpoint(r),
    figures: {
      warnings: Number(r.warnings),
      created: Number(r.created),
      updated: Number(r.updated),
      unchanged: Number(r.unchanged),
    },
    plannedRecords: r.planned_records === null ? null : Number(r.planned_records),
  };
}

/**
 * SQL of split imports (docs/ARCHITECTURE.md invariant 6): the plan on part 0, one checkpoint row
 * per part (1…N) with its byte range, and the task's sums on part 0. Every part's batch adds its
 * advance to part 0 in its own transaction, under part 0's row lock: the sums are exact, the
 * status `seq` moves in commit order, and the batch that finds every part read to its end sets
 * part 0's `total_records`, so exactly one of them announces `completed`.
 */
export class ImportPartRepository {
  /**
   * Stores the plan and opens the parts, fenced by part 0's seq (one delivery plans a task). The
   * columns go on part 0 (for `/errors`), as a one-part import saves them.
   */
  async plan(
    db: Queryable,
    cp: Checkpoint,
    plan: ImportPlan,
    attempt: number,
  ): Promise<Checkpoint> {
    const { rows } = await db.query<CheckpointRow>(
      `UPDATE task_checkpoints SET parts = $3, planned_records = $4, header = $5, header_lines = $6,
         source_validator = $7, seq = seq + 1, updated_at = now()
       WHERE task_id = $1 AND part = 0 AND seq = $2 AND parts = 0
       RETURNING ${CHECKPOINT_COLUMNS}`,
      [
        cp.taskId,
        cp.seq,
        plan.parts.length,
        plan.plannedRecords,
        plan.header,
        plan.headerLines,
        plan.validator,
      ],
    );
    if (rows.length === 0) throw new CheckpointFencedError(cp.taskId);
    await db.query(
      `INSERT INTO task_checkpoints (task_id, part, attempt, range_start, range_end, first_line)
       SELECT $1, p.k, $2, p.s, p.e, p.l
       FROM unnest($3::int[], $4::bigint[], $5::bigint[], $6::bigint[]) AS p(k, s, e, l)`,
      [
        cp.taskId,
        attempt,
        plan.parts.map((_p, k) => k + 1),
        plan.parts.map((p) => p.start),
        plan.parts.map((p) => p.end),
        plan.parts.map((p) => p.firstLine),
      ],
    );
    return toCheckpoint(rows[0]);
  }

  /** The task's plan, or null when the task is not split. */
  async planOf(db: Queryable, taskId: string): Promise<(ImportPlan & { open: number[] }) | null> {
    const { rows } = await db.query<{
      part: number;
      parts: number;
      planned_records: string | null;
      header: Buffer | null;
      header_lines: number | null;
      source_validator: string | null;
      range_start: string | null;
      range_end: string | null;
      first_line: string | null;
      total_records: string | null;
    }>(
      `SELECT part, parts, planned_records, header, header_lines, source_validator,
              range_start, range_end, first_line, total_records
       FROM task_checkpoints WHERE task_id = $1 ORDER BY part`,
      [taskId],
    );
    const head = rows[0];
    if (!head || head.part !== 0 || head.parts === 0 || !head.header) return null;
    const parts = rows.slice(1);
    return {
      header: head.header,
      headerLines: head.header_lines ?? 1,
      plannedRecords: Number(head.planned_records ?? 0),
      validator: head.source_validator,
      parts: parts.map((p) => ({
        start: Number(p.range_start),
        end: Number(p.range_end),
        firstLine: Number(p.first_line),
      })),
      open: parts.filter((p) => p.total_records === null).map((p) => p.part),
    };
  }

  /** Part `part` (1…N) of a split task, or null when there is no such part. */
  async openPart(db: Queryable, taskId: string, part: number): Promise<PartCheckpoint | null> {
    const { rows } = await db.query<
      CheckpointRow & { range_start: string; range_end: string; first_line: string }
    >(
      `SELECT ${CHECKPOINT_COLUMNS}, range_start, range_end, first_line FROM task_checkpoints
       WHERE task_id = $1 AND part = $2 AND part > 0 AND range_start IS NOT NULL`,
      [taskId, part],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      ...toCheckpoint(r),
      rangeStart: Number(r.range_start),
      rangeEnd: Number(r.range_end),
      firstLine: Number(r.first_line),
    };
  }

  /**
   * Adds a part's committed batch to the task's sums on part 0 (call in the batch's transaction,
   * after the part's own checkpoint moved). The error samples stay the first rows in file order
   * of those committed so far; once every part is read to its end, `total_records` is set, and
   * the samples are the task's first ten rejected rows.
   */
  async addToSums(db: Queryable, taskId: string, a: SumsAdvance): Promise<TaskSums> {
    const { rows } = await db.query<SumsRow>(
      `UPDATE task_checkpoints SET
         next_record = next_record + $2, processed = processed + $2,
         successful = successful + $3, failed = failed + $4, duplicates = duplicates + $5,
         error_samples = (SELECT coalesce(jsonb_agg(e ORDER BY (e->>'row_number')::bigint), '[]')
                          FROM (SELECT e FROM jsonb_array_elements(error_samples || $6::jsonb) e
                                ORDER BY (e->>'row_number')::bigint LIMIT 10) s),
         warnings = warnings + $7, created = created + $8, updated = updated + $9,
         unchanged = unchanged + $10, seq = seq + 1, updated_at = now()
       WHERE task_id = $1 AND part = 0 RETURNING ${SUM_COLUMNS}`,
      [
        taskId,
        a.records,
        a.successful,
        a.failed,
        a.duplicates,
        JSON.stringify(a.errorSamples),
        a.figures.warnings,
        a.figures.created,
        a.figures.updated,
        a.figures.unchanged,
      ],
    );
    if (rows.length === 0) throw new CheckpointFencedError(taskId);
    if (a.totalRecords === null) return toSums(rows[0]);
    // This part is read to its end: the task is, once no other part is left.
    const done = await db.query<SumsRow>(
      `UPDATE task_checkpoints p0 SET total_records = s.total,
         error_samples = (SELECT coalesce(jsonb_agg(jsonb_build_object(
                            'row_number', e.row_number, 'message', e.error_message)
                            ORDER BY e.row_number), '[]')
                          FROM (SELECT row_number, error_message FROM task_row_errors
                                WHERE task_id = $1 ORDER BY row_number LIMIT 10) e)
       FROM (SELECT sum(total_records) AS total, count(*) FILTER (WHERE total_records IS NULL) AS open
             FROM task_checkpoints WHERE task_id = $1 AND part > 0) s
       WHERE p0.task_id = $1 AND p0.part = 0 AND s.open = 0
       RETURNING ${SUM_COLUMNS.split(', ')
         .map((c) => `p0.${c}`)
         .join(', ')}`,
      [taskId],
    );
    return toSums(done.rows[0] ?? rows[0]);
  }

  /** Part 0's sums as they stand (what a coordinator waits on). */
  async sums(db: Queryable, taskId: string): Promise<TaskSums | null> {
    const { rows } = await db.query<SumsRow>(
      `SELECT ${SUM_COLUMNS} FROM task_checkpoints WHERE task_id = $1 AND part = 0`,
      [taskId],
    );
    return rows[0] ? toSums(rows[0]) : null;
  }
}
