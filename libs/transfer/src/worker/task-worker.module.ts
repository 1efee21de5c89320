import { type DynamicModule, Module } from '@nestjs/common';

import { DataSource } from 'typeorm';

import { type EntityType, Subjects, type TaskType } from '@ferry/contracts';
import {
  JetStreamClient,
  messagingConfigFrom,
  type MessagingEnv,
  MessagingModule,
  type TaskRunner,
} from '@ferry/messaging';
import {
  ConnectionRepository,
  persistenceConfigFrom,
  type PersistenceEnv,
  PersistenceModule,
} from '@ferry/persistence';
import { HealthController, HealthRegistryModule } from '@ferry/telemetry';

/** The settings every worker reads besides its own (BaseConfig of @ferry/config). */
export interface TaskWorkerEnv extends MessagingEnv, PersistenceEnv {
  PORT: number;
  HOST: string;
  LOG_LEVEL: string;
}

/** What a worker's runner is made of: its config, the database and the JetStream client. */
export interface TaskRunnerDeps<C> {
  config: C;
  ds: DataSource;
  js: JetStreamClient;
  subjects: Subjects;
  /** Registered destinations (an exporter opens their sealed secrets). */
  connections: ConnectionRepository;
}

/** Everything that tells the importer from the exporter: the rest of their start-up is one. */
export interface TaskWorkerDefinition<C extends TaskWorkerEnv> {
  /** `importer` or `exporter`: the logger, the connections and the durable consumers. */
  service: string;
  taskType: TaskType;
  /** The config class, validated once at boot (a bad variable stops the start with a list). */
  config: new () => C;
  /** The entity types served, one consumer and one handler each: the keys of the registry. */
  entityTypes: readonly EntityType[];
  /** Tasks one replica runs at once, per entity type. */
  concurrency(config: C): number;
  /** Split imports' parts (docs/DECISIONS.md 128): their entity types and slots per replica. */
  parts?: { entityTypes: readonly EntityType[]; concurrency(config: C): number };
  /** Builds the runner (`ImportRunner`, `ExportRunner`) once the connections are up. */
  runner(deps: TaskRunnerDeps<C>): TaskRunner;
  /** The key of connections' secrets, for a worker that opens them (the exporter). */
  secretsKey?(config: C): string;
}

/** The Nest token of a worker's runner. */
export const TASK_RUNNER = Symbol('TaskRunner');

/**
 * A worker's root module: health and metrics, PostgreSQL, JetStream, and its runner. Its only
 * routes are `/health/*` and `/metrics`; its work comes in through `connectTaskWorker`.
 */
@Module({})
export class TaskWorkerModule {
  static forRoot<C extends TaskWorkerEnv>(
    worker: TaskWorkerDefinition<C>,
    config: C,
  ): DynamicModule {
    return {
      module: TaskWorkerModule,
      imports: [
        HealthRegistryModule,
        PersistenceModule.forRoot({
          // The process in pg_stat_activity: which replica holds which connection.
          ...persistenceConfigFrom(config, `ferry-${worker.service}:${process.pid}`),
          secretsKey: worker.secretsKey?.(config),
        }),
        MessagingModule.forRoot(messagingConfigFrom(config, `ferry-${worker.service}`)),
      ],
      controllers: [HealthController],
      providers: [
        {
          provide: TASK_RUNNER,
          useFactory: (
            ds: DataSource,
            js: JetStreamClient,
            subjects: Subjects,
            connections: ConnectionRepository,
          ) => worker.runner({ config, ds, js, subjects, connections }),
          inject: [DataSource, JetStreamClient, Subjects, ConnectionRepository],
        },
      ],
    };
  }
}
