import { type DataSource } from 'typeorm';

import {
  stopReason,
  TaskCancelledError,
  type TaskState,
  type TaskStatusEvent,
} from '@ferry/contracts';

import { type Queryable } from '../pg-client.helper';

/**
 * The task row as workers and the status service see it: what a delivery reads before and while
 * it acts (docs/ARCHITECTURE.md: workers act on the database's state, not the message's), and
 * the projection of their status events into the row. The rules themselves are the pure state
 * machine of @ferry/contracts (`stopReason`, `applyStatusEvent`); this is their SQL.
 */
export class TaskStateRepository {
  constructor(private readonly ds: DataSource) {}

  /** The task's status and attempt, or null when it no longer exists. */
  async readState(id: string): Promise<TaskState | null> {
    const rows: TaskState[] = await this.ds.query(
      'SELECT task_status, attempt FROM tasks WHERE id = $1',
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * When the task was created: an import's stand-in for blank event times, the same in every
   * delivery, so a rerun finds each row's (id, timestamp) key again (docs/DECISIONS.md 122).
   */
  async createdAt(id: string): Promise<Date | null> {
    const rows: Array<{ created_at: Date }> = await this.ds.query(
      'SELECT created_at FROM tasks WHERE id = $1',
      [id],
    );
    return rows[0]?.created_at ?? null;
  }

  /**
   * Inside a batch's transaction: the task must still be this attempt's and not ended, or this
   * throws `TaskCancelledError` and the batch rolls back. With `lock` (the batch's last step before
   * COMMIT), `FOR KEY SHARE` makes a concurrent cancel (which locks the row FOR UPDATE) wait for
   * this batch or be seen by it, so after a cancel has answered no further batch of the cancelled
   * run commits. It is the weakest lock that does (a `FOR SHARE` would keep the status service's
   * progress UPDATEs waiting: docs/DECISIONS.md 11), and it is taken only for the few milliseconds
   * between the batch's checkpoint and its COMMIT, never while rows are written: held for the
   * whole batch, two writers kept a share lock on the row nearly all the time and a cancel waited
   * 5-30 s for a gap (docs/DECISIONS.md 120). Without `lock` it is a plain read, so a cancelled
   * run does not write a whole batch only to roll it back.
   */
  async assertStillRunning(db: Queryable, id: string, attempt: number, lock = true): Promise<void> {
    const { rows } = await db.query<TaskState>(
      `SELECT task_status, attempt FROM tasks WHERE id = $1${lock ? ' FOR KEY SHARE' : ''}`,
      [id],
    );
    const why = stopReason(rows[0], attempt);
    if (why) throw new TaskCancelledError(id, why);
  }

  /**
   * Projects a worker's status event into the task row in one guarded UPDATE: `applyStatusEvent`
   * of @ferry/contracts in SQL (docs/ARCHITECTURE.md invariant 3), so it is idempotent and
   * monotonic. The WHERE clause drops a stale or repeated event and any event of a COMPLETED
   * task; the CASEs keep a FAILED task FAILED with its reason and time. Every SET expression
   * reads the row as it was before the event. Returns true when the event changed the task.
   */
  async applyStatusEvent(e: TaskStatusEvent): Promise<boolean> {
    const c = e.counters;
    const result: unknown[] = await this.ds.query(
      `UPDATE tasks SET
         last_seq = $2,
         task_status = CASE
           WHEN task_status IN ('PENDING', 'PROCESSING') THEN
             CASE $3::text WHEN 'completed' THEN 'COMPLETED' WHEN 'failed' THEN 'FAILED' ELSE 'PROCESSING' END
           ELSE task_status END,
         processed_records = GREATEST(processed_records, $4),
         successful_records = GREATEST(successful_records, $5),
         failed_records = GREATEST(failed_records, $6),
         total_records = COALESCE($7, total_records),
         error_summary = CASE WHEN task_status IN ('PENDING', 'PROCESSING')
                              THEN COALESCE($8, error_summary) ELSE error_summary END,
         metadata = metadata || $9::jsonb,
         file_url = COALESCE($10, file_url),
         started_at = COALESCE(started_at, $11),
         completed_at = CASE WHEN $3::text = 'completed' AND task_status IN ('PENDING', 'PROCESSING')
                             THEN $11 ELSE completed_at END,
         failed_at = CASE WHEN $3::text = 'failed' AND task_status IN ('PENDING', 'PROCESSING')
                          THEN $11 ELSE failed_at END,
         updated_at = now()
       WHERE id = $1 AND last_seq < $2 AND task_status <> 'COMPLETED'
       RETURNING id`,
      [
        e.task_id,
        e.seq,
        e.kind,
        c.processed_records,
        c.successful_records,
        c.failed_records,
        c.total_records ?? null,
        e.error_summary ?? null,
        JSON.stringify(e.metadata ?? {}),
        e.file_url ?? null,
        e.at,
      ],
    );
    return rowCount(result) > 0;
  }
}

/** TypeORM's `query` returns `[rows, count]` for UPDATE … RETURNING on postgres. */
function rowCount(result: unknown[]): number {
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[1];
  }
  return result.length;
}
