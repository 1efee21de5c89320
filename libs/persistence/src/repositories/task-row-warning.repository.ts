import { type DataSource } from 'typeorm';

import { type RowWarning } from '@ferry/contracts';

import { type Queryable } from '../pg-client.helper';

/** One warned row as `/warnings` lists it. */
export interface RowWarningLine {
  row_number: number;
  warning_message: string;
  raw: Record<string, string>;
}

/** Warned rows kept per task: the count goes on, the list stops (docs/ARCHITECTURE.md invariant 12). */
export const MAX_STORED_WARNINGS = 10_000;

/**
 * A task's warned rows (docs/FORMATS.md §1): counted on the checkpoint and stored in the batch's
 * transaction, so a redelivered batch neither counts nor lists a row twice; read in pages.
 */
export class TaskRowWarningRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly maxStored = MAX_STORED_WARNINGS,
  ) {}

  /**
   * Adds a batch's warnings to the part's count and stores the ones within the bound (call inside
   * the batch's transaction, before the checkpoint advances: docs/ARCHITECTURE.md invariant 2).
   * Returns the task's count of warned rows so far.
   */
  async record(
    db: Queryable,
    taskId: string,
    part: number,
    warnings: RowWarning[],
  ): Promise<number> {
    const { rows } = await db.query<{ warnings: string }>(
      'UPDATE task_checkpoints SET warnings = warnings + $3 WHERE task_id = $1 AND part = $2 RETURNING warnings',
      [taskId, part, warnings.length],
    );
    const total = Number(rows[0]?.warnings ?? warnings.length);
    const before = total - warnings.length;
    const room = Math.max(0, this.maxStored - before);
    const kept = warnings.length > room ? warnings.slice(0, room) : warnings;
    if (kept.length === 0) return total;
    await db.query(
      `INSERT INTO task_row_warnings (task_id, part, row_number, warning_message, raw)
       SELECT $1, $2, r.n, r.message, r.raw
       FROM unnest($3::bigint[], $4::text[], $5::jsonb[]) AS r(n, message, raw)
       ON CONFLICT (task_id, row_number) DO NOTHING`,
      [
        taskId,
        part,
        kept.map((w) => w.row_number),
        kept.map((w) => withoutNul(w.message)),
        kept.map((w) => JSON.stringify(w.raw, (_k, v: unknown) => withoutNul(v))),
      ],
    );
    return total;
  }

  /** The columns of the warned rows, in the file's column order (as `/errors` orders them). */
  async columns(taskId: string): Promise<string[]> {
    const keys: Array<{ key: string }> = await this.ds.query(
      'SELECT DISTINCT jsonb_object_keys(raw) AS key FROM task_row_warnings WHERE task_id = $1',
      [taskId],
    );
    const saved: Array<{ columns: string[] }> = await this.ds.query(
      'SELECT columns FROM task_checkpoints WHERE task_id = $1 ORDER BY part',
      [taskId],
    );
    const order = new Map<string, number>();
    for (const row of saved)
      for (const c of row.columns) if (!order.has(c)) order.set(c, order.size);
    return keys
      .map((k) => k.key)
      .sort((a, b) => {
        const x = order.get(a) ?? Number.MAX_SAFE_INTEGER;
        const y = order.get(b) ?? Number.MAX_SAFE_INTEGER;
        return x !== y ? x - y : a < b ? -1 : a > b ? 1 : 0;
      });
  }

  /** The next `limit` warned rows after `afterRow`, by row number (keyset paging). */
  async page(taskId: string, afterRow: number, limit: number): Promise<RowWarningLine[]> {
    const rows: Array<Omit<RowWarningLine, 'row_number'> & { row_number: string }> =
      await this.ds.query(
        `SELECT row_number, warning_message, raw FROM task_row_warnings
         WHERE task_id = $1 AND row_number > $2 ORDER BY row_number LIMIT $3`,
        [taskId, afterRow, limit],
      );
    return rows.map((r) => ({ ...r, row_number: Number(r.row_number) }));
  }
}

function withoutNul<T>(value: T): T {
  return typeof value === 'string' && value.includes('\0')
    ? (value.replaceAll('\0', '\ufffd') as T)
    : value;
}
