import { Injectable, OnApplicationBootstrap } from '@nestjs/common';

import { OutboxRepository, TaskRepository } from '@ferry/persistence';
import { gaugeFromCallback } from '@ferry/telemetry';

/**
 * Gauges read from PostgreSQL at scrape time: tasks by type, entity and status (all tenants), and
 * the outbox backlog (task.created messages not yet on the broker — it grows while NATS is down).
 */
@Injectable()
export class TaskMetricsService implements OnApplicationBootstrap {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  onApplicationBootstrap(): void {
    gaugeFromCallback(
      'ferry_tasks',
      'Tasks by type, entity type and status',
      ['task_type', 'entity_type', 'task_status'],
      async () =>
        (await this.tasks.countByStatus()).map(({ count, ...labels }) => ({
          labels,
          value: count,
        })),
    );
    gaugeFromCallback(
      'ferry_outbox_backlog',
      'Outbox rows not yet published to NATS',
      [],
      async () => [{ labels: {}, value: await this.outbox.backlog() }],
    );
  }
}
