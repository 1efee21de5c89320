import {
  DynamicModule,
  Global,
  Inject,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
  Optional,
} from '@nestjs/common';

import { DataSource } from 'typeorm';

import { HealthRegistry } from '@ferry/telemetry';

import { initDataSource } from './data-source.factory';
import { PersistenceConfig } from './persistence.config';
import { ApiKeyRepository } from './repositories/api-key.repository';
import { ConnectionRepository } from './repositories/connection.repository';
import { EventPartitionRepository } from './repositories/event-partition.repository';
import { OutboxRepository } from './repositories/outbox.repository';
import { ScheduleRunRepository } from './repositories/schedule-run.repository';
import { ScheduledTaskRepository } from './repositories/scheduled-task.repository';
import { TaskRepository } from './repositories/task.repository';
import { TaskRowErrorRepository } from './repositories/task-row-error.repository';
import { TaskRowWarningRepository } from './repositories/task-row-warning.repository';
import { TaskStateRepository } from './repositories/task-state.repository';
import { TaskSweepRepository } from './repositories/task-sweep.repository';
import { UploadRepository } from './repositories/upload.repository';
import { WebhookRepository } from './repositories/webhook.repository';
import { SecretBox } from './secret-box';

/** The settings every service reads (BaseConfig of @ferry/config). */
export interface PersistenceEnv {
  DATABASE_URL: string;
  DATABASE_POOL_SIZE: number;
  FERRY_MIGRATE_ON_START: boolean;
}

export function persistenceConfigFrom(
  env: PersistenceEnv,
  applicationName?: string,
): PersistenceConfig {
  return {
    url: env.DATABASE_URL,
    poolSize: env.DATABASE_POOL_SIZE,
    migrationsRun: env.FERRY_MIGRATE_ON_START,
    applicationName,
  };
}

/**
 * The DataSource (migrated at start when configured) and the repositories, for every service.
 * Registers a `postgres` readiness check and closes the pool on shutdown.
 */
@Global()
@Module({})
export class PersistenceModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    @Optional() private readonly health?: HealthRegistry,
  ) {}

  static forRoot(config: PersistenceConfig): DynamicModule {
    // A malformed key stops the start here, naming the setting.
    const box = SecretBox.fromSetting(config.secretsKey ?? '');
    return {
      module: PersistenceModule,
      providers: [
        { provide: DataSource, useFactory: () => initDataSource(config) },
        {
          provide: TaskRepository,
          useFactory: (ds: DataSource) => new TaskRepository(ds),
          inject: [DataSource],
        },
        {
          provide: TaskStateRepository,
          useFactory: (ds: DataSource) => new TaskStateRepository(ds),
          inject: [DataSource],
        },
        {
          provide: OutboxRepository,
          useFactory: (ds: DataSource) => new OutboxRepository(ds),
          inject: [DataSource],
        },
        {
          provide: TaskSweepRepository,
          useFactory: (ds: DataSource) => new TaskSweepRepository(ds),
          inject: [DataSource],
        },
        {
          provide: ApiKeyRepository,
          useFactory: (ds: DataSource) => new ApiKeyRepository(ds),
          inject: [DataSource],
        },
        {
          provide: TaskRowErrorRepository,
          useFactory: (ds: DataSource) => new TaskRowErrorRepository(ds),
          inject: [DataSource],
        },
        {
          provide: TaskRowWarningRepository,
          useFactory: (ds: DataSource) => new TaskRowWarningRepository(ds),
          inject: [DataSource],
        },
        {
          provide: UploadRepository,
          useFactory: (ds: DataSource) => new UploadRepository(ds),
          inject: [DataSource],
        },
        {
          provide: ConnectionRepository,
          useFactory: async (ds: DataSource) => {
            const connections = new ConnectionRepository(ds, box);
            // docs/DECISIONS.md decision 75: sealed secrets without their key cannot be opened,
            // so a service that reads connections refuses to start rather than fail each export.
            if (config.secretsKey === '' && (await connections.anyWithSecrets())) {
              throw new Error(
                'FERRY_SECRETS_KEY is not set, but connections with sealed secrets exist: set the key they were sealed with',
              );
            }
            return connections;
          },
          inject: [DataSource],
        },
        {
          provide: WebhookRepository,
          useFactory: async (ds: DataSource) => {
            const webhooks = new WebhookRepository(ds, box);
            // docs/DECISIONS.md 115: a service that signs deliveries (the gateway: it has a
            // `secretsKey` setting) seals what is still plain, and without a key refuses to
            // start over sealed secrets it could not open.
            if (config.secretsKey !== undefined) {
              if (box) await webhooks.sealPlainSecrets();
              else if (await webhooks.anySealed()) {
                throw new Error(
                  'FERRY_SECRETS_KEY is not set, but webhook secrets are sealed: set the key they were sealed with',
                );
              }
            }
            return webhooks;
          },
          inject: [DataSource],
        },
        {
          provide: ScheduledTaskRepository,
          useFactory: (ds: DataSource) => new ScheduledTaskRepository(ds),
          inject: [DataSource],
        },
        {
          provide: ScheduleRunRepository,
          useFactory: (ds: DataSource) => new ScheduleRunRepository(ds),
          inject: [DataSource],
        },
        {
          provide: EventPartitionRepository,
          useFactory: (ds: DataSource) => new EventPartitionRepository(ds),
          inject: [DataSource],
        },
      ],
      exports: [
        DataSource,
        TaskRepository,
        TaskStateRepository,
        TaskSweepRepository,
        OutboxRepository,
        ApiKeyRepository,
        TaskRowErrorRepository,
        TaskRowWarningRepository,
        UploadRepository,
        ConnectionRepository,
        ScheduledTaskRepository,
        ScheduleRunRepository,
        WebhookRepository,
        EventPartitionRepository,
      ],
    };
  }

  onModuleInit(): void {
    this.health?.register({
      name: 'postgres',
      check: async () => {
        await this.ds.query('SELECT 1');
        return true;
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}
