import { Logger } from '@nestjs/common';

import { stopReason, TaskCancelledError } from '@ferry/contracts';
import { type TaskStateRepository } from '@ferry/persistence';

/**
 * Polls the task row while a delivery runs (docs/API.md §3: a cancel stops the worker within
 * seconds, even while it waits on a slow download and commits nothing) and aborts `signal` when
 * the task was cancelled or retried. Also aborts when the delivery's own signal does (shutdown).
 * Each batch transaction checks again under a lock (`TaskStateRepository.assertStillRunning`).
 */
export class CancelWatch {
  private readonly logger = new Logger(CancelWatch.name);
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onOuterAbort = () => this.controller.abort(this.outer.reason);
  private checking = false;
  cancelled = false;

  constructor(
    private readonly tasks: TaskStateRepository,
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
      const why = stopReason(await this.tasks.readState(this.taskId), this.attempt);
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
