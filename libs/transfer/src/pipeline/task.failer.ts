import { type DataSource } from 'typeorm';

import { withClient } from '@ferry/persistence';

import { type Checkpoint, CheckpointStore } from './checkpoint.store';
import { type StatusPublisher } from './status.publisher';

/**
 * Ends a task as FAILED with a sentence saying why: takes the next status sequence from the task's
 * checkpoint (so the failure orders after any progress already announced) and publishes it.
 */
export class TaskFailer {
  private readonly checkpoints = new CheckpointStore();

  constructor(
    private readonly ds: DataSource,
    private readonly status: StatusPublisher,
  ) {}

  async fail(taskId: string, reason: string): Promise<void> {
    const cp: Checkpoint = await withClient(this.ds, async (c) =>
      this.checkpoints.bumpSeq(c, await this.checkpoints.open(c, taskId, 0)),
    );
    await this.status.publish(taskId, {
      kind: 'failed',
      seq: cp.seq,
      counters: {
        processed_records: cp.processed,
        successful_records: cp.successful,
        failed_records: cp.failed,
        total_records: cp.totalRecords,
      },
      error_summary: reason,
    });
  }
}
