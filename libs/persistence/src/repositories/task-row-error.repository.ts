import { type DataSource } from 'typeorm';

/** One rejected row as `/errors` lists it. */
export interface RowErrorLine {
  row_number: number;
  error_code: string;
  error_message: string;
  raw: Record<string, string>;
}

/** Reads a task's rejected rows in pages (never the whole set in memory). */
export class TaskRowErrorRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * The columns the rejected rows have: every key of their original cells, in the file's column
   * order (saved with the checkpoint), keys the file's order does not know last, sorted.
   */
  async columns(taskId: string): Promise<string[]> {
    const keys: Array<{ key: string }> = await this.ds.query(
      'SELECT DISTINCT jsonb_object_keys(raw) AS key FROM task_row_errors WHERE task_id = $1',
      [taskId],
    );
    const saved: Array<{ columns: string[] }> = await this.ds.query(
      'SELECT columns FROM import_checkpoints WHERE task_id = $1 ORDER BY part',
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

  /** The next `limit` rejected rows after `afterRow`, by row number (keyset paging). */
  async page(taskId: string, afterRow: number, limit: number): Promise<RowErrorLine[]> {
    const rows: Array<Omit<RowErrorLine, 'row_number'> & { row_number: string }> =
      await this.ds.query(
        `SELECT row_number, error_code, error_message, raw FROM task_row_errors
       WHERE task_id = $1 AND row_number > $2 ORDER BY row_number LIMIT $3`,
        [taskId, afterRow, limit],
      );
    return rows.map((r) => ({ ...r, row_number: Number(r.row_number) }));
  }
}
