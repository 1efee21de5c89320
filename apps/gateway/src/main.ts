import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { runMigrations } from '@ferry/persistence';
import { createLogger, httpTracing, loadConfig, runOrExit } from '@ferry/telemetry';
import { AppModule } from './app.module';
import { createValidationPipe } from './errors/validation.pipe';
import { GatewayConfig } from './gateway.config';
import { serveOpenApi } from './openapi';

runOrExit('gateway', async () => {
  const config = loadConfig(GatewayConfig);
  if (process.argv[2] === 'migrate') {
    // `main.js migrate`: run pending migrations and exit (npm run migrate, the deploy Job).
    const ran = await runMigrations(config.DATABASE_URL);
    process.stdout.write(
      ran.length ? ran.map((m) => `ran ${m}\n`).join('') : 'no pending migrations\n',
    );
    return;
  }
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: createLogger('gateway', config.LOG_LEVEL),
  });
  app.use(httpTracing());
  app.useGlobalPipes(createValidationPipe());
  serveOpenApi(app);
  app.enableShutdownHooks();
  await app.listen(config.PORT, config.HOST);
  process.stdout.write(`gateway listening on http://${config.HOST}:${config.PORT}\n`);
});
