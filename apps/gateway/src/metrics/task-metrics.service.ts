import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';

import { DataSource } from 'typeorm';

import { OutboxRepository } from '@ferry/persistence';
import { gaugeFromCallback } from '@ferry/telemetry';

/**
 * Gauges read from PostgreSQL at scrape time: tasks by type, entity and status (all tenants), and
 * the outbox backlog (task.created messages not yet on the broker — it grows while NATS is down).
 */
@Injectable()
export class TaskMetricsService implements OnApplicationBootstrap {
  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    private readonly outbox: OutboxRepository,
  ) {}

  onApplicationBootstrap(): void {
    gaugeFromCallback(
      'ferry_tasks',
      'Tasks by type, entity type and status',
      ['task_type', 'entity_type', 'task_status'],
      async () => {
        const rows: Array<{
          task_type: string;
          entity_type: string;
          task_status: string;
          n: string;
        }> = await this.ds.query(
          `SELECT task_type, entity_type, task_status, count(*) AS n
             FROM tasks GROUP BY task_type, entity_type, task_status`,
        );
        return rows.map(({ n, ...labels }) => ({ labels, value: Number(n) }));
      },
    );
    gaugeFromCallback(
      'ferry_outbox_backlog',
      'Outbox rows not yet published to NATS',
      [],
      async () => [{ labels: {}, value: await this.outbox.backlog() }],
    );
  }
}
