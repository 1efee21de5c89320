import { Logger } from '@nestjs/common';

import { type DataSource } from 'typeorm';

import {
  FerryError,
  isFinalStatus,
  TaskCancelledError,
  type TaskCreatedEvent,
} from '@ferry/contracts';
import { CheckpointFencedError, TaskStateRepository } from '@ferry/persistence';

import { CancelWatch } from './cancel.watch';
import { type StatusPublisher } from './status.publisher';
import { TaskFailer } from './task.failer';

export interface RunControl {
  /** Aborted when the worker shuts down: stop reading, leave the checkpoint, let it redeliver. */
  signal: AbortSignal;
}

/**
 * One delivery of a `task.created` message, whatever the work: what the import and export
 * runners share. The task row decides, not the message (docs/ARCHITECTURE.md: the broker is the
 * doorbell): a task that is gone or finished, or a message of an earlier attempt, does nothing.
 * While the work runs, a `CancelWatch` aborts it when the task is cancelled or retried. How it
 * ends decides what happens to the message (docs/ARCHITECTURE.md "Delivery"):
 * - cancelled or retried meanwhile, or fenced by a concurrent delivery: returns (ack), keeping
 *   what was committed;
 * - a `FerryError` that no delivery can get past (a missing file, a missing column): the task
 *   ends FAILED with its message, and the delivery returns (ack);
 * - anything else is transient: it is rethrown (nak), and the next delivery resumes from the
 *   checkpoint.
 */
export class TaskDelivery {
  private readonly logger: Logger;
  private readonly tasks: TaskStateRepository;
  private readonly failer: TaskFailer;

  constructor(
    ds: DataSource,
    status: StatusPublisher,
    /** Names the runner in the log. */
    context: string,
    /** How often a running delivery checks whether its task was cancelled or retried. */
    private readonly cancelCheckMs = 1000,
  ) {
    this.logger = new Logger(context);
    this.tasks = new TaskStateRepository(ds);
    this.failer = new TaskFailer(ds, status);
  }

  async run(
    task: TaskCreatedEvent,
    control: RunControl,
    work: (control: RunControl) => Promise<void>,
  ): Promise<void> {
    const current = await this.tasks.readState(task.task_id);
    if (!current) {
      this.logger.warn(`task ${task.task_id} no longer exists; message dropped`);
      return;
    }
    // Finished, or cancelled before this delivery: nothing to do.
    if (isFinalStatus(current.task_status)) return;
    if (task.attempt < current.attempt) return; // a message of an earlier attempt

    const watch = new CancelWatch(
      this.tasks,
      task.task_id,
      task.attempt,
      control.signal,
      this.cancelCheckMs,
    );
    try {
      await work({ signal: watch.signal });
    } catch (err) {
      if (err instanceof TaskCancelledError || watch.cancelled) {
        this.logger.log(
          err instanceof TaskCancelledError
            ? err.message
            : `task ${task.task_id} was cancelled or retried: this delivery stops`,
        );
        return;
      }
      if (err instanceof CheckpointFencedError) {
        this.logger.warn(err.message);
        return;
      }
      if (err instanceof FerryError && !err.retryable) {
        await this.fail(task.task_id, err.message);
        return;
      }
      throw err; // transient: nak, and the next delivery resumes from the checkpoint
    } finally {
      watch.stop();
    }
  }

  /** Ends a task as FAILED with a sentence saying why (also used when deliveries run out). */
  fail(taskId: string, reason: string): Promise<void> {
    return this.failer.fail(taskId, reason);
  }
}
