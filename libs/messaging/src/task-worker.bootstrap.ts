import { type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { loadConfig } from '@ferry/config';
import { type EntityType, type TaskType } from '@ferry/contracts';
import { createLogger, runOrExit } from '@ferry/telemetry';

import { type MessagingEnv } from './messaging.module';
import { connectTaskWorker, type TaskRunner } from './task-worker';

/** The settings a worker's bootstrap reads besides its own (BaseConfig of @ferry/config). */
export interface TaskWorkerEnv extends MessagingEnv {
  PORT: number;
  HOST: string;
  LOG_LEVEL: string;
}

/** Everything that tells the importer from the exporter: the rest of their start-up is one. */
export interface TaskWorkerDefinition<C extends TaskWorkerEnv> {
  /** `importer` or `exporter`: the logger, the NATS connection and the durable consumers. */
  service: string;
  taskType: TaskType;
  /** The config class, validated once at boot (a bad variable stops the start with a list). */
  config: new () => C;
  module(config: C): DynamicModule;
  /** The Nest provider that runs the tasks (`ImportRunner`, `ExportRunner`). */
  runner: Type<TaskRunner>;
  /** The entity types served, one consumer and one handler each: the keys of the registry. */
  entityTypes: readonly EntityType[];
  /** Tasks one replica runs at once, per entity type. */
  concurrency(config: C): number;
}

/**
 * Starts a worker: config, logger, the app module, one JetStream consumer and handler per entity
 * type, `/health` and `/metrics` on PORT. Exits 1 with a sentence when any of it fails, so a
 * consumer that cannot be served stops the start instead of leaving its tasks to the sweeper.
 */
export function runTaskWorker<C extends TaskWorkerEnv>(w: TaskWorkerDefinition<C>): void {
  runOrExit(w.service, async () => {
    const config = loadConfig(w.config);
    const app = await NestFactory.create(w.module(config), {
      logger: createLogger(w.service, config.LOG_LEVEL),
    });
    connectTaskWorker(app, {
      taskType: w.taskType,
      service: w.service,
      entityTypes: w.entityTypes,
      runner: app.get(w.runner),
      concurrency: w.concurrency(config),
      env: config,
    });
    app.enableShutdownHooks();
    await app.startAllMicroservices();
    await app.listen(config.PORT, config.HOST);
  });
}
