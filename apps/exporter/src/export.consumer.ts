import { Controller } from '@nestjs/common';
import { Payload, EventPattern } from '@nestjs/microservices';
import {
  EntityType,
  parseEvent,
  TaskCreatedEvent,
  taskCreatedPattern,
  TaskType,
} from '@ferry/contracts';
import { TaskFailer } from '@ferry/entities';

const pattern = (entity: EntityType) => taskCreatedPattern(TaskType.EXPORT, entity);

/**
 * One durable consumer per entity type. Exports are the next milestone (issue 4); until then an
 * export task ends FAILED at once with a sentence saying so, rather than waiting forever.
 */
@Controller()
export class ExportConsumer {
  constructor(private readonly failer: TaskFailer) {}

  @EventPattern(pattern(EntityType.EVENTS))
  events(@Payload() data: unknown) {
    return this.handle(data);
  }

  @EventPattern(pattern(EntityType.CUSTOMERS))
  customers(@Payload() data: unknown) {
    return this.handle(data);
  }

  @EventPattern(pattern(EntityType.FEATURES))
  features(@Payload() data: unknown) {
    return this.handle(data);
  }

  @EventPattern(pattern(EntityType.PRICES))
  prices(@Payload() data: unknown) {
    return this.handle(data);
  }

  private async handle(data: unknown): Promise<void> {
    const task = parseEvent(TaskCreatedEvent, data);
    await this.failer.fail(
      task.task_id,
      `Exporting ${task.entity_type} is not available in this version of Ferry yet`,
    );
  }
}
