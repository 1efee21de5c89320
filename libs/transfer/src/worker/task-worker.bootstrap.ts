import { NestFactory } from '@nestjs/core';

import { loadConfig } from '@ferry/config';
import { connectTaskWorker, type TaskRunner } from '@ferry/messaging';
import { createLogger, runOrExit } from '@ferry/telemetry';

import {
  TASK_RUNNER,
  type TaskWorkerDefinition,
  type TaskWorkerEnv,
  TaskWorkerModule,
} from './task-worker.module';

/**
 * Starts a worker (the importer's and the exporter's one `main`): config, logger, its module,
 * one JetStream consumer and handler per entity type, `/health` and `/metrics` on PORT. Exits 1
 * with a sentence when any of it fails, so a consumer that cannot be served stops the start
 * instead of leaving its tasks to the sweeper.
 */
export function runTaskWorker<C extends TaskWorkerEnv>(worker: TaskWorkerDefinition<C>): void {
  runOrExit(worker.service, async () => {
    const config = loadConfig(worker.config);
    const app = await NestFactory.create(TaskWorkerModule.forRoot(worker, config), {
      logger: createLogger(worker.service, config.LOG_LEVEL),
    });
    connectTaskWorker(app, {
      taskType: worker.taskType,
      service: worker.service,
      entityTypes: worker.entityTypes,
      partEntityTypes: worker.parts?.entityTypes,
      partConcurrency: worker.parts?.concurrency(config),
      runner: app.get<TaskRunner>(TASK_RUNNER),
      concurrency: worker.concurrency(config),
      env: config,
    });
    app.enableShutdownHooks();
    await app.startAllMicroservices();
    await app.listen(config.PORT, config.HOST);
  });
}
