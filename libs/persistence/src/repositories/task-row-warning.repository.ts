import { type DataSource } from 'typeorm';

import { type RowWarning } from '@ferry/contracts';

import { type Queryable } from '../pg-client.helper';
import { rowColumnsInFileOrder } from './row-columns';

/** One warned row as `/warnings` lists it. */
export interface RowWarningLine {
  row_number: number;
  warning_message: string;
  raw: Record<string, string>;
}

/** What a batch's rows did: new records, existing ones changed, existing ones left as they were. */
export interface ImportOutcome {
  created: number;
  updated: number;
  unchanged: number;
}

/** A task's figures so far (its part's), as `metadata` shows them (docs/API.md §3). */
export interface ImportFigures extends ImportOutcome {
  warnings: number;
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
   * Adds a batch's warnings and outcome to the part's counts and stores the warnings within the
   * bound (call inside the batch's transaction, before the checkpoint advances:
   * docs/ARCHITECTURE.md invariant 2). Returns the part's counts so far.
   */
  async record(
    db: Queryable,
    taskId: string,
    part: number,
    warnings: RowWarning[],
    outcome: ImportOutcome = { created: 0, updated: 0, unchanged: 0 },
  ): Promise<ImportFigures> {
    const { rows } = await db.query<Record<keyof ImportFigures, string>>(
      `UPDATE task_checkpoints SET warnings = warnings + $3, created = created + $4,
         updated = updated + $5, unchanged = unchanged + $6
       WHERE task_id = $1 AND part = $2
       RETURNING warnings, created, updated, unchanged`,
      [taskId, part, warnings.length, outcome.created, outcome.updated, outcome.unchanged],
    );
    const row = rows[0];
    const figures: ImportFigures = {
      warnings: Number(row?.warnings ?? warnings.length),
      created: Number(row?.created ?? outcome.created),
      updated: Number(row?.updated ?? outcome.updated),
      unchanged: Number(row?.unchanged ?? outcome.unchanged),
    };
    const total = figures.warnings;
    const before = total - warnings.length;
    const room = Math.max(0, this.maxStored - before);
    const kept = warnings.length > room ? warnings.slice(0, room) : warnings;
    if (kept.length === 0) return figures;
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
    return figures;
  }

  /** The columns of the warned rows, in the file's column order (as `/errors` orders them). */
  columns(taskId: string): Promise<string[]> {
    return rowColumnsInFileOrder(this.ds, 'task_row_warnings', taskId);
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
