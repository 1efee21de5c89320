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
import { OutboxRepository } from './repositories/outbox.repository';
import { TaskRepository } from './repositories/task.repository';
import { TaskRowErrorRepository } from './repositories/task-row-error.repository';
import { TaskStateRepository } from './repositories/task-state.repository';
import { TaskSweepRepository } from './repositories/task-sweep.repository';

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
      ],
      exports: [
        DataSource,
        TaskRepository,
        TaskStateRepository,
        TaskSweepRepository,
        OutboxRepository,
        ApiKeyRepository,
        TaskRowErrorRepository,
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
