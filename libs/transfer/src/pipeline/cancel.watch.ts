import { Logger } from '@nestjs/common';

import type { PoolClient } from 'pg';
import { type DataSource } from 'typeorm';

/** Thrown inside a batch transaction when the task was cancelled or retried under a newer attempt. */
export class TaskCancelledError extends Error {
  constructor(taskId: string, why: string) {
    super(`task ${taskId} ${why}: this delivery stops and keeps what it committed`);
    this.name = 'TaskCancelledError';
  }
}

type Queryable = Pick<PoolClient, 'query'>;

/**
 * Inside a batch's transaction: the task must still be this attempt's and not FAILED. `FOR KEY
 * SHARE` makes a concurrent cancel (which locks the row FOR UPDATE) wait for this batch or be seen
 * by it, so after a cancel has answered no further batch of the cancelled run commits. It is the
 * weakest lock that does: with two writers a batch transaction is nearly always open, and a
 * `FOR SHARE` would keep the status service's progress UPDATEs waiting until the import ended.
 */
export async function assertStillRunning(
  db: Queryable,
  taskId: string,
  attempt: number,
): Promise<void> {
  const { rows } = await db.query<{ task_status: string; attempt: number }>(
    'SELECT task_status, attempt FROM tasks WHERE id = $1 FOR KEY SHARE',
    [taskId],
  );
  const why = stopReason(rows[0], attempt);
  if (why) throw new TaskCancelledError(taskId, why);
}

function stopReason(
  row: { task_status: string; attempt: number } | undefined,
  attempt: number,
): string | null {
  if (!row) return 'was deleted';
  if (row.task_status === 'FAILED' || row.task_status === 'COMPLETED')
    return `is ${row.task_status}`;
  if (row.attempt > attempt) return `was retried as attempt ${row.attempt}`;
  return null;
}

/**
 * Polls the task row while a delivery runs (docs/API.md §3: a cancel stops the worker within seconds,
 * even while it waits on a slow download and commits nothing) and aborts `signal` when the task
 * was cancelled or retried. Also aborts when the delivery's own signal does (shutdown).
 */
export class CancelWatch {
  private readonly logger = new Logger(CancelWatch.name);
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onOuterAbort = () => this.controller.abort(this.outer.reason);
  private checking = false;
  cancelled = false;

  constructor(
    private readonly ds: DataSource,
    private readonly taskId: string,
    private readonly attempt: number,
    private readonly outer: AbortSignal,
    intervalMs: number,
  ) {
    if (outer.aborted) this.controller.abort(outer.reason);
    else outer.addEventListener('abort', this.onOuterAbort, { once: true });
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  stop(): void {
    clearInterval(this.timer);
    this.outer.removeEventListener('abort', this.onOuterAbort);
  }

  private async check(): Promise<void> {
    // One check at a time: while the database is away, checks must not pile up on the pool.
    if (this.checking) return;
    this.checking = true;
    try {
      const rows: Array<{ task_status: string; attempt: number }> = await this.ds.query(
        'SELECT task_status, attempt FROM tasks WHERE id = $1',
        [this.taskId],
      );
      const why = stopReason(rows[0], this.attempt);
      if (why && !this.cancelled) {
        this.cancelled = true;
        this.controller.abort(new TaskCancelledError(this.taskId, why));
      }
    } catch (err) {
      // The database is away: the batch transaction will fail too, and the delivery retry.
      this.logger.debug(`cancel check for ${this.taskId} failed: ${String(err)}`);
    } finally {
      this.checking = false;
    }
  }
}
