import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';

import { loadConfig } from '@ferry/config';
import { TaskType } from '@ferry/contracts';
import { connectTaskWorker } from '@ferry/messaging';
import { createLogger, runOrExit } from '@ferry/telemetry';
import { ExportRunner } from '@ferry/transfer';

import { AppModule } from './app.module';
import { ExporterConfig } from './exporter.config';

runOrExit('exporter', async () => {
  const config = loadConfig(ExporterConfig);
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: createLogger('exporter', config.LOG_LEVEL),
  });
  const runner = app.get(ExportRunner);
  connectTaskWorker(app, {
    taskType: TaskType.EXPORT,
    service: 'exporter',
    concurrency: config.FERRY_EXPORT_CONCURRENCY,
    env: config,
    fail: (taskId, reason) => runner.fail(taskId, reason),
  });
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(config.PORT, config.HOST);
});
