import { type DataSource } from 'typeorm';

import {
  type Checkpoint,
  CheckpointFencedError,
  CheckpointRepository,
  withClient,
} from '@ferry/persistence';

import { type StatusPublisher } from './status.publisher';
import { counters } from './status-news';

/**
 * Ends a task as FAILED with a sentence saying why: takes the next status sequence from the task's
 * checkpoint (so the failure orders after any progress already announced) and publishes it. The
 * status service projects it into the row, as it does every worker's news.
 */
export class TaskFailer {
  private readonly checkpoints = new CheckpointRepository();

  constructor(
    private readonly ds: DataSource,
    private readonly status: StatusPublisher,
  ) {}

  async fail(taskId: string, reason: string): Promise<void> {
    // The parts of a split import move part 0's seq as they commit: take the next one again
    // when another part took it first.
    const cp: Checkpoint = await withClient(this.ds, async (c) => {
      for (let tries = 1; ; tries++) {
        try {
          return await this.checkpoints.bumpSeq(c, await this.checkpoints.open(c, taskId, 0));
        } catch (err) {
          if (!(err instanceof CheckpointFencedError) || tries >= 20) throw err;
        }
      }
    });
    await this.status.publish(taskId, {
      kind: 'failed',
      seq: cp.seq,
      counters: counters(cp),
      error_summary: reason,
    });
  }
}
