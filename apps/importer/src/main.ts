import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import {
  EntityType,
  parseEvent,
  TaskCreatedEvent,
  taskCreatedPattern,
  TaskType,
} from '@ferry/contracts';
import { ImportRunner } from '@ferry/entities';
import { connectJetStream, messagingConfigFrom } from '@ferry/messaging';
import { createLogger, loadConfig, runOrExit } from '@ferry/telemetry';
import { AppModule } from './app.module';
import { ImporterConfig } from './importer.config';

runOrExit('importer', async () => {
  const config = loadConfig(ImporterConfig);
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: createLogger('importer', config.LOG_LEVEL),
  });
  const runner = app.get(ImportRunner);
  const consumers = Object.fromEntries(
    Object.values(EntityType).map((entity) => [
      taskCreatedPattern(TaskType.IMPORT, entity),
      { durable: `importer_${entity.toLowerCase()}`, concurrency: config.FERRY_IMPORT_CONCURRENCY },
    ]),
  );
  connectJetStream(app, {
    config: messagingConfigFrom(config, 'ferry-importer'),
    consumers,
    // Deliveries ran out: the task ends FAILED with the last error, the message is in the DLQ.
    onDeadLetter: async (dl) => {
      const task = parseEvent(TaskCreatedEvent, dl.data);
      await runner.fail(
        task.task_id,
        `Import gave up after ${dl.deliveries} attempts: ${dl.error}`,
      );
    },
  });
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(config.PORT, config.HOST);
});
