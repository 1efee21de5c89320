import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import {
  EntityType,
  parseEvent,
  TaskCreatedEvent,
  taskCreatedPattern,
  TaskType,
} from '@ferry/contracts';
import { ExportRunner } from '@ferry/entities';
import { connectJetStream, messagingConfigFrom } from '@ferry/messaging';
import { createLogger, loadConfig, runOrExit } from '@ferry/telemetry';
import { AppModule } from './app.module';
import { ExporterConfig } from './exporter.config';

runOrExit('exporter', async () => {
  const config = loadConfig(ExporterConfig);
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: createLogger('exporter', config.LOG_LEVEL),
  });
  const runner = app.get(ExportRunner);
  const consumers = Object.fromEntries(
    Object.values(EntityType).map((entity) => [
      taskCreatedPattern(TaskType.EXPORT, entity),
      { durable: `exporter_${entity.toLowerCase()}`, concurrency: config.FERRY_EXPORT_CONCURRENCY },
    ]),
  );
  connectJetStream(app, {
    config: messagingConfigFrom(config, 'ferry-exporter'),
    consumers,
    // Deliveries ran out: the task ends FAILED with the last error, the message is in the DLQ.
    onDeadLetter: async (dl) => {
      const task = parseEvent(TaskCreatedEvent, dl.data);
      await runner.fail(
        task.task_id,
        `Export gave up after ${dl.deliveries} attempts: ${dl.error}`,
      );
    },
  });
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(config.PORT, config.HOST);
});
