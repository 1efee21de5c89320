import { derivedId, type IdPrefix, idTime } from '@ferry/contracts';

/**
 * Ids of records a task creates, derived from the task and the row's line (like events without
 * `event_id`): a retried or redelivered task derives the same ids, so an insert that meets its
 * own id again knows the row is already there.
 */
export class DerivedIds {
  private readonly time: number;

  constructor(
    private readonly prefix: IdPrefix,
    private readonly taskId: string,
  ) {
    this.time = idTime(taskId);
  }

  forLine(line: number, salt = ''): string {
    return derivedId(this.prefix, this.time, `${this.taskId}:${line}${salt}`);
  }
}
