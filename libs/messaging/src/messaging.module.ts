import {
  DynamicModule,
  Global,
  INestApplication,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
  Optional,
} from '@nestjs/common';

import { Subjects } from '@ferry/contracts';
import { HealthRegistry } from '@ferry/telemetry';

import { JetStreamClient } from './jetstream.client';
import { JetStreamServer, JetStreamServerOptions } from './jetstream.server';
import { JetStreamExceptionFilter } from './jetstream-exception.filter';
import { defaultMessagingConfig, MessagingConfig } from './messaging.config';

/** The settings every service reads (BaseConfig of @ferry/config). */
export interface MessagingEnv {
  NATS_URL: string;
  FERRY_NATS_PREFIX: string;
  FERRY_ACK_WAIT_MS: number;
  FERRY_MAX_DELIVER: number;
  FERRY_STREAM_REPLICAS: number;
  /** e.g. `1000,5000,15000,30000` (BaseConfig validates it); unset keeps the defaults. */
  FERRY_NAK_BACKOFF_MS?: string;
}

export function messagingConfigFrom(env: MessagingEnv, name: string): MessagingConfig {
  return defaultMessagingConfig({
    servers: env.NATS_URL,
    prefix: env.FERRY_NATS_PREFIX,
    name,
    ackWaitMs: env.FERRY_ACK_WAIT_MS,
    maxDeliver: env.FERRY_MAX_DELIVER,
    streamReplicas: env.FERRY_STREAM_REPLICAS,
    backoffMs: env.FERRY_NAK_BACKOFF_MS
      ? env.FERRY_NAK_BACKOFF_MS.split(',').map(Number)
      : undefined,
  });
}

/**
 * The JetStream publisher (streams provisioned at start) and the subject layout, for every
 * service. Registers a `nats` readiness check and drains the connection on shutdown.
 */
@Global()
@Module({})
export class MessagingModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly client: JetStreamClient,
    @Optional() private readonly health?: HealthRegistry,
  ) {}

  static forRoot(config: MessagingConfig): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: JetStreamClient, useFactory: () => JetStreamClient.connect(config) },
        {
          provide: Subjects,
          useFactory: (c: JetStreamClient) => c.subjects,
          inject: [JetStreamClient],
        },
      ],
      exports: [JetStreamClient, Subjects],
    };
  }

  onModuleInit(): void {
    this.health?.register({ name: 'nats', check: async () => this.client.isConnected() });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.drain().catch(() => undefined);
  }
}

/**
 * Serves the app's `@EventPattern` handlers from JetStream durable consumers. The exception
 * filter lets a handler's own error (retryable or not) reach the transport unchanged.
 */
export function connectJetStream(
  app: INestApplication,
  options: JetStreamServerOptions,
): JetStreamServer {
  const server = new JetStreamServer(options);
  app.useGlobalFilters(new JetStreamExceptionFilter(app.getHttpAdapter()));
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  app.get(HealthRegistry, { strict: false }).register({
    name: 'consumers',
    check: async () => server.isServing(),
  });
  return server;
}
