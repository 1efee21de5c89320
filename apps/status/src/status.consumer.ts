import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';

import { parseEvent, TASK_STATUS_PATTERN, TaskStatusEvent } from '@ferry/contracts';
import { JetStreamContext } from '@ferry/messaging';

import { TaskProjectionService } from './task-projection.service';

@Controller()
export class StatusConsumer {
  constructor(private readonly projection: TaskProjectionService) {}

  @EventPattern(TASK_STATUS_PATTERN)
  async onStatus(@Payload() data: unknown, @Ctx() _ctx: JetStreamContext): Promise<void> {
    await this.projection.apply(parseEvent(TaskStatusEvent, data));
  }
}
