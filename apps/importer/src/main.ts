import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';

import { loadConfig } from '@ferry/config';
import { TaskType } from '@ferry/contracts';
import { connectTaskWorker } from '@ferry/messaging';
import { createLogger, runOrExit } from '@ferry/telemetry';
import { ImportRunner } from '@ferry/transfer';

import { AppModule } from './app.module';
import { ImporterConfig } from './importer.config';

runOrExit('importer', async () => {
  const config = loadConfig(ImporterConfig);
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: createLogger('importer', config.LOG_LEVEL),
  });
  const runner = app.get(ImportRunner);
  connectTaskWorker(app, {
    taskType: TaskType.IMPORT,
    service: 'importer',
    concurrency: config.FERRY_IMPORT_CONCURRENCY,
    env: config,
    fail: (taskId, reason) => runner.fail(taskId, reason),
  });
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(config.PORT, config.HOST);
});
