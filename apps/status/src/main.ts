import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';

import { loadConfig } from '@ferry/config';
import { TASK_STATUS_PATTERN } from '@ferry/contracts';
import { connectJetStream, messagingConfigFrom } from '@ferry/messaging';
import { createLogger, runOrExit } from '@ferry/telemetry';

import { AppModule } from './app.module';
import { StatusConfig } from './status.config';

runOrExit('status', async () => {
  const config = loadConfig(StatusConfig);
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: createLogger('status', config.LOG_LEVEL),
  });
  connectJetStream(app, {
    config: messagingConfigFrom(config, 'ferry-status'),
    consumers: {
      [TASK_STATUS_PATTERN]: { durable: 'status', concurrency: config.FERRY_STATUS_CONCURRENCY },
    },
  });
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(config.PORT, config.HOST);
});
