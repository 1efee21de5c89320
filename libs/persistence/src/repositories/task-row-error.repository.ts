import { type DataSource } from 'typeorm';

import { type RowError } from '@ferry/contracts';

import { type Queryable } from '../pg-client.helper';
import { rowColumnsInFileOrder } from './row-columns';

/** One rejected row as `/errors` lists it. */
export interface RowErrorLine {
  row_number: number;
  error_code: string;
  error_message: string;
  raw: Record<string, string>;
}

/**
 * A task's rejected rows: stored once each as batches commit, read in pages (never the whole set
 * in memory).
 */
export class TaskRowErrorRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Stores a batch's rejected rows (call inside the batch's transaction: docs/ARCHITECTURE.md
   * invariant 2). A row already stored keeps its first error, so a redelivered batch lists no
   * row twice (invariant 7).
   */
  async insert(db: Queryable, taskId: string, part: number, errors: RowError[]): Promise<void> {
    if (errors.length === 0) return;
    await db.query(
      `INSERT INTO task_row_errors (task_id, part, row_number, error_code, error_message, raw)
       SELECT $1, $2, r.n, r.code, r.message, r.raw
       FROM unnest($3::bigint[], $4::text[], $5::text[], $6::jsonb[]) AS r(n, code, message, raw)
       ON CONFLICT (task_id, row_number) DO NOTHING`,
      [
        taskId,
        part,
        errors.map((e) => e.row_number),
        errors.map((e) => e.code),
        // A rejected row may hold NUL characters, which neither text nor jsonb can store.
        errors.map((e) => withoutNul(e.message)),
        errors.map((e) => JSON.stringify(e.raw, (_k, v: unknown) => withoutNul(v))),
      ],
    );
  }

  /**
   * The columns the rejected rows have: every key of their original cells, in the file's column
   * order (saved with the checkpoint), keys the file's order does not know last, sorted.
   */
  columns(taskId: string): Promise<string[]> {
    return rowColumnsInFileOrder(this.ds, 'task_row_errors', taskId);
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

function withoutNul<T>(value: T): T {
  return typeof value === 'string' && value.includes('\0')
    ? (value.replaceAll('\0', '\ufffd') as T)
    : value;
}
