import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';

import { loadConfig } from '@ferry/config';
import { adminCommand, runMigrations } from '@ferry/persistence';
import { createLogger, httpTracing, runOrExit } from '@ferry/telemetry';

import { AppModule } from './app.module';
import { createValidationPipe } from './errors/validation.pipe';
import { GatewayConfig } from './gateway.config';
import { deferredBodyParsers } from './http/deferred-body';
import { serveOpenApi } from './openapi';

runOrExit('gateway', async () => {
  if (process.argv[2] === 'admin') {
    // `main.js admin create-tenant …` (ferry admin): the operator's command, no SQL (docs/API.md §2).
    process.exitCode = await adminCommand(process.env, process.argv.slice(3), (line) =>
      process.stdout.write(`${line}\n`),
    );
    return;
  }
  const config = loadConfig(GatewayConfig);
  if (process.argv[2] === 'migrate') {
    // `main.js migrate`: run pending migrations and exit (npm run migrate, the deploy Job).
    const ran = await runMigrations(config.DATABASE_URL);
    process.stdout.write(
      ran.length ? ran.map((m) => `ran ${m}\n`).join('') : 'no pending migrations\n',
    );
    return;
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: createLogger('gateway', config.LOG_LEVEL),
    bodyParser: false,
  });
  // Nest's usual JSON and form parsers (their errors answered after the key check), except on
  // uploads, whose body streams into the store.
  app.use(deferredBodyParsers((req) => req.path.startsWith('/v1/uploads')));
  app.use(httpTracing());
  app.useGlobalPipes(createValidationPipe());
  serveOpenApi(app);
  app.enableShutdownHooks();
  await app.listen(config.PORT, config.HOST);
  process.stdout.write(`gateway listening on http://${config.HOST}:${config.PORT}\n`);
});
