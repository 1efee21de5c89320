import { type RowError } from '@ferry/contracts';

import { type Queryable } from '../pg-client.helper';

/** One part's checkpoint (docs/ARCHITECTURE.md invariant 6: the whole file is part 0 for now). */
export interface Checkpoint {
  taskId: string;
  part: number;
  /** Data records (header and blank lines excluded) consumed so far: the resume point. */
  nextRecord: number;
  processed: number;
  successful: number;
  failed: number;
  duplicates: number;
  /** Set when the file has been read to its end: the task is finished. */
  totalRecords: number | null;
  /** Sequence of the last status event this part produced; fences concurrent workers. */
  seq: number;
  errorSamples: Array<Pick<RowError, 'row_number' | 'message'>>;
}

export interface CheckpointAdvance {
  records: number;
  successful: number;
  failed: number;
  duplicates: number;
  errorSamples: Checkpoint['errorSamples'];
  totalRecords: number | null;
}

export interface CheckpointRow {
  task_id: string;
  part: number;
  next_record: string;
  processed: string;
  successful: string;
  failed: string;
  duplicates: string;
  total_records: string | null;
  seq: string;
  error_samples: Checkpoint['errorSamples'];
}

export const CHECKPOINT_COLUMNS =
  'task_id, part, next_record, processed, successful, failed, duplicates, total_records, seq, error_samples';

export function toCheckpoint(r: CheckpointRow): Checkpoint {
  return {
    taskId: r.task_id,
    part: r.part,
    nextRecord: Number(r.next_record),
    processed: Number(r.processed),
    successful: Number(r.successful),
    failed: Number(r.failed),
    duplicates: Number(r.duplicates),
    totalRecords: r.total_records === null ? null : Number(r.total_records),
    seq: Number(r.seq),
    errorSamples: r.error_samples,
  };
}

/** Thrown when another worker advanced the checkpoint first: this worker must stop. */
export class CheckpointFencedError extends Error {
  constructor(taskId: string) {
    super(`task ${taskId} is being processed by another delivery`);
    this.name = 'CheckpointFencedError';
  }
}

/**
 * SQL on `task_checkpoints`: where an import part stands, and the status sequence of any task
 * (an export's too). Every method works on the connection it is given, so that a batch's
 * transaction commits its rows, row errors and checkpoint together (docs/ARCHITECTURE.md
 * invariant 2). Every write that moves the checkpoint is fenced by `seq`: it applies only if the
 * checkpoint is still where this worker last saw it, so two deliveries of one task running at
 * once (a worker presumed dead that was not) can never both commit the same rows.
 */
export class CheckpointRepository {
  async open(db: Queryable, taskId: string, attempt: number): Promise<Checkpoint> {
    await db.query(
      `INSERT INTO task_checkpoints (task_id, part, attempt) VALUES ($1, 0, $2)
       ON CONFLICT (task_id, part) DO NOTHING`,
      [taskId, attempt],
    );
    const { rows } = await db.query<CheckpointRow>(
      `SELECT ${CHECKPOINT_COLUMNS} FROM task_checkpoints WHERE task_id = $1 AND part = 0`,
      [taskId],
    );
    return toCheckpoint(rows[0]);
  }

  /** Takes the next sequence number (for an event that commits no rows: started, failed). */
  async bumpSeq(db: Queryable, cp: Checkpoint): Promise<Checkpoint> {
    const { rows } = await db.query<CheckpointRow>(
      `UPDATE task_checkpoints SET seq = seq + 1, updated_at = now()
       WHERE task_id = $1 AND part = $2 AND seq = $3 RETURNING ${CHECKPOINT_COLUMNS}`,
      [cp.taskId, cp.part, cp.seq],
    );
    if (rows.length === 0) throw new CheckpointFencedError(cp.taskId);
    return toCheckpoint(rows[0]);
  }

  /** Moves the checkpoint past a committed batch (call inside the batch's transaction). */
  async advance(db: Queryable, cp: Checkpoint, a: CheckpointAdvance): Promise<Checkpoint> {
    const { rows } = await db.query<CheckpointRow>(
      `UPDATE task_checkpoints SET
         next_record = next_record + $4, processed = processed + $4,
         successful = successful + $5, failed = failed + $6, duplicates = duplicates + $7,
         error_samples = $8::jsonb, total_records = $9, seq = seq + 1, updated_at = now()
       WHERE task_id = $1 AND part = $2 AND seq = $3 RETURNING ${CHECKPOINT_COLUMNS}`,
      [
        cp.taskId,
        cp.part,
        cp.seq,
        a.records,
        a.successful,
        a.failed,
        a.duplicates,
        JSON.stringify(a.errorSamples),
        a.totalRecords,
      ],
    );
    if (rows.length === 0) throw new CheckpointFencedError(cp.taskId);
    return toCheckpoint(rows[0]);
  }

  /** The file's columns an earlier delivery saved (resuming a JSON file skips the elements that had them). */
  async savedColumns(db: Queryable, taskId: string, part: number): Promise<string[]> {
    const { rows } = await db.query<{ columns: string[] }>(
      'SELECT columns FROM task_checkpoints WHERE task_id = $1 AND part = $2',
      [taskId, part],
    );
    return rows[0]?.columns ?? [];
  }

  /**
   * Saves the file's columns with the checkpoint (for `/errors`, in the file's order). Appends
   * only the columns not saved yet, so an earlier delivery's order stays first.
   */
  async saveColumns(
    db: Queryable,
    taskId: string,
    part: number,
    columns: readonly string[],
  ): Promise<void> {
    await db.query(
      `UPDATE task_checkpoints SET columns = columns || (
         SELECT coalesce(jsonb_agg(t.c ORDER BY t.n), '[]'::jsonb)
         FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS t(c, n)
         WHERE NOT columns @> jsonb_build_array(t.c))
       WHERE task_id = $1 AND part = $2`,
      [taskId, part, JSON.stringify(columns)],
    );
  }
}
