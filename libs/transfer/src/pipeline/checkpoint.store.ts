import type { PoolClient } from 'pg';

import { type RowError } from '@ferry/contracts';

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

type Queryable = Pick<PoolClient, 'query'>;

interface CheckpointRow {
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

const COLUMNS =
  'task_id, part, next_record, processed, successful, failed, duplicates, total_records, seq, error_samples';

function toCheckpoint(r: CheckpointRow): Checkpoint {
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
 * SQL for import checkpoints and row errors. Every write is fenced by `seq`: it applies only if
 * the checkpoint is still where this worker last saw it, so two deliveries of one task running at
 * once (a worker presumed dead that was not) can never both commit the same rows.
 */
export class CheckpointStore {
  async open(db: Queryable, taskId: string, attempt: number): Promise<Checkpoint> {
    await db.query(
      `INSERT INTO import_checkpoints (task_id, part, attempt) VALUES ($1, 0, $2)
       ON CONFLICT (task_id, part) DO NOTHING`,
      [taskId, attempt],
    );
    const { rows } = await db.query<CheckpointRow>(
      `SELECT ${COLUMNS} FROM import_checkpoints WHERE task_id = $1 AND part = 0`,
      [taskId],
    );
    return toCheckpoint(rows[0]);
  }

  /** Takes the next sequence number (for an event that commits no rows: started, failed). */
  async bumpSeq(db: Queryable, cp: Checkpoint): Promise<Checkpoint> {
    const { rows } = await db.query<CheckpointRow>(
      `UPDATE import_checkpoints SET seq = seq + 1, updated_at = now()
       WHERE task_id = $1 AND part = $2 AND seq = $3 RETURNING ${COLUMNS}`,
      [cp.taskId, cp.part, cp.seq],
    );
    if (rows.length === 0) throw new CheckpointFencedError(cp.taskId);
    return toCheckpoint(rows[0]);
  }

  /** Moves the checkpoint past a committed batch (call inside the batch's transaction). */
  async advance(db: Queryable, cp: Checkpoint, a: CheckpointAdvance): Promise<Checkpoint> {
    const { rows } = await db.query<CheckpointRow>(
      `UPDATE import_checkpoints SET
         next_record = next_record + $4, processed = processed + $4,
         successful = successful + $5, failed = failed + $6, duplicates = duplicates + $7,
         error_samples = $8::jsonb, total_records = $9, seq = seq + 1, updated_at = now()
       WHERE task_id = $1 AND part = $2 AND seq = $3 RETURNING ${COLUMNS}`,
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

  async insertRowErrors(
    db: Queryable,
    taskId: string,
    part: number,
    errors: RowError[],
  ): Promise<void> {
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
}

function withoutNul<T>(value: T): T {
  return typeof value === 'string' && value.includes('\0')
    ? (value.replaceAll('\0', '\ufffd') as T)
    : value;
}
