import { Injectable, Logger } from '@nestjs/common';

import { type TaskStatusEvent } from '@ferry/contracts';
import { TaskStateRepository } from '@ferry/persistence';

/**
 * Projects workers' status events into the task row: the status service is the only writer of a
 * task's progress (docs/ARCHITECTURE.md invariant 3). The rules are the state machine's
 * (`applyStatusEvent` of @ferry/contracts); `TaskStateRepository.applyStatusEvent` applies them
 * in one guarded UPDATE, so an event that is stale, a repeat, or for a COMPLETED task changes
 * nothing, and a late event of a run that failed does not revive the task.
 */
@Injectable()
export class TaskProjectionService {
  private readonly logger = new Logger(TaskProjectionService.name);

  constructor(private readonly tasks: TaskStateRepository) {}

  /** Returns true when the event changed the task, false when it was stale or a repeat. */
  async apply(e: TaskStatusEvent): Promise<boolean> {
    const applied = await this.tasks.applyStatusEvent(e);
    if (!applied)
      this.logger.debug(`status ${e.task_id}#${e.seq} (${e.kind}) was stale or a repeat`);
    return applied;
  }
}
