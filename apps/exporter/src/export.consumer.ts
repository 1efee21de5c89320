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
import { ExportRunner } from '@ferry/transfer';

const pattern = (entity: EntityType) => taskCreatedPattern(TaskType.EXPORT, entity);

/**
 * One durable consumer per entity type; each hands the task to the export pipeline (an entity
 * type without an export definition ends FAILED at once with a sentence saying so).
 */
@Controller()
export class ExportConsumer {
  constructor(private readonly runner: ExportRunner) {}

  @EventPattern(pattern(EntityType.EVENTS))
  events(@Payload() data: unknown, @Ctx() ctx?: JetStreamContext) {
    return this.handle(data, ctx);
  }

  @EventPattern(pattern(EntityType.CUSTOMERS))
  customers(@Payload() data: unknown, @Ctx() ctx?: JetStreamContext) {
    return this.handle(data, ctx);
  }

  @EventPattern(pattern(EntityType.FEATURES))
  features(@Payload() data: unknown, @Ctx() ctx?: JetStreamContext) {
    return this.handle(data, ctx);
  }

  @EventPattern(pattern(EntityType.PRICES))
  prices(@Payload() data: unknown, @Ctx() ctx?: JetStreamContext) {
    return this.handle(data, ctx);
  }

  private async handle(data: unknown, ctx?: JetStreamContext): Promise<void> {
    const task = parseEvent(TaskCreatedEvent, data);
    await this.runner.run(task, { signal: ctx?.signal ?? new AbortController().signal });
  }
}
