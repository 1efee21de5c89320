import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';

import {
  EntityType,
  parseEvent,
  TaskCreatedEvent,
  taskCreatedPattern,
  TaskType,
} from '@ferry/contracts';
import { JetStreamContext } from '@ferry/messaging';
import { ImportRunner } from '@ferry/transfer';

const pattern = (entity: EntityType) => taskCreatedPattern(TaskType.IMPORT, entity);

/** One durable consumer per entity type; each hands the task to the import pipeline. */
@Controller()
export class ImportConsumer {
  constructor(private readonly runner: ImportRunner) {}

  @EventPattern(pattern(EntityType.EVENTS))
  events(@Payload() data: unknown, @Ctx() ctx: JetStreamContext) {
    return this.handle(data, ctx);
  }

  @EventPattern(pattern(EntityType.CUSTOMERS))
  customers(@Payload() data: unknown, @Ctx() ctx: JetStreamContext) {
    return this.handle(data, ctx);
  }

  @EventPattern(pattern(EntityType.FEATURES))
  features(@Payload() data: unknown, @Ctx() ctx: JetStreamContext) {
    return this.handle(data, ctx);
  }

  @EventPattern(pattern(EntityType.PRICES))
  prices(@Payload() data: unknown, @Ctx() ctx: JetStreamContext) {
    return this.handle(data, ctx);
  }

  private handle(data: unknown, ctx: JetStreamContext): Promise<void> {
    const task = parseEvent(TaskCreatedEvent, data);
    return this.runner.run(task, { signal: ctx.signal });
  }
}
