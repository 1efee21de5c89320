import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';

import type { ConsumerInfo, StoredMsg } from '@nats-io/jetstream';

import type { ConsumerOptions } from '../consumer.provisioner';
import type { DeadLetter } from '../dead-letter.publisher';
import { JetStreamClient } from '../jetstream.client';
import type { JetStreamContext } from '../jetstream.context';
import { JetStreamServer } from '../jetstream.server';
import { JetStreamExceptionFilter } from '../jetstream-exception.filter';
import { defaultMessagingConfig, type MessagingConfig } from '../messaging.config';
import { deleteStreams, NATS_URL, randomPrefix, waitFor } from './nats-test.util';

/** The patterns SpecController serves; each test uses its own, with its own durable consumer. */
export const P = {
  events: 'task.created.import.events',
  status: 'task.status.>',
  retry: 'task.created.import.retry',
  poison: 'task.created.import.poison',
  fatal: 'task.created.import.fatal',
  slow: 'task.created.import.slow',
  parallel: 'task.created.import.parallel',
  crash: 'task.created.import.crash',
  shutdown: 'task.created.import.shutdown',
} as const;

export type Behaviour = (data: unknown, ctx: JetStreamContext) => Promise<void>;

export interface Call {
  pattern: string;
  data: unknown;
  deliveryCount: number;
  isLastDelivery: boolean;
  subject: string;
  headers: Record<string, string>;
}

// Module state is per spec file: Jest gives every test file its own module registry.
const behaviours = new Map<string, Behaviour>();
const calls: Call[] = [];

async function run(pattern: string, data: unknown, ctx: JetStreamContext): Promise<void> {
  const { deliveryCount, isLastDelivery, subject, headers } = ctx;
  calls.push({ pattern, data, deliveryCount, isLastDelivery, subject, headers });
  await behaviours.get(pattern)?.(data, ctx);
}

@Controller()
class SpecController {
  @EventPattern(P.events)
  events(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    return run(P.events, data, ctx);
  }
  @EventPattern(P.status)
  status(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    return run(P.status, data, ctx);
  }
  @EventPattern(P.retry)
  retry(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    return run(P.retry, data, ctx);
  }
  @EventPattern(P.poison)
  poison(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    return run(P.poison, data, ctx);
  }
  @EventPattern(P.fatal)
  fatal(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    return run(P.fatal, data, ctx);
  }
  @EventPattern(P.slow)
  slow(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    return run(P.slow, data, ctx);
  }
  @EventPattern(P.parallel)
  parallel(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    return run(P.parallel, data, ctx);
  }
  @EventPattern(P.crash)
  crash(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    return run(P.crash, data, ctx);
  }
  @EventPattern(P.shutdown)
  shutdown(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    return run(P.shutdown, data, ctx);
  }
}

@Module({ controllers: [SpecController] })
class SpecModule {}

/** A random prefix, a publishing client and Nest microservices on the real NATS server. */
export class ServerSpecHarness {
  readonly config: MessagingConfig;
  readonly deadLetters: DeadLetter[] = [];
  private clientOrNull?: JetStreamClient;
  private readonly apps: INestMicroservice[] = [];

  constructor(name: string) {
    this.config = defaultMessagingConfig({
      servers: NATS_URL,
      prefix: randomPrefix(),
      name,
      ackWaitMs: 1500,
      maxDeliver: 3,
      backoffMs: [100, 200],
    });
  }

  get client(): JetStreamClient {
    if (!this.clientOrNull) throw new Error('call setup() first');
    return this.clientOrNull;
  }

  async setup(): Promise<void> {
    this.clientOrNull = await JetStreamClient.connect(this.config);
  }

  async teardown(): Promise<void> {
    for (const app of this.apps) await app.close();
    if (!this.clientOrNull) return;
    await deleteStreams(this.clientOrNull);
    await this.clientOrNull.close();
  }

  behave(pattern: string, behaviour: Behaviour): void {
    behaviours.set(pattern, behaviour);
  }

  callsOf(pattern: string): Call[] {
    return calls.filter((c) => c.pattern === pattern);
  }

  /** Starts a microservice serving `consumers`, with JetStreamExceptionFilter registered. */
  async startApp(
    consumers: Record<string, ConsumerOptions>,
    options: { config?: MessagingConfig; shutdownTimeoutMs?: number } = {},
  ): Promise<INestMicroservice> {
    const server = new JetStreamServer({
      config: options.config ?? this.config,
      consumers,
      shutdownTimeoutMs: options.shutdownTimeoutMs,
      onDeadLetter: async (dl) => {
        this.deadLetters.push(dl);
      },
    });
    const app = await NestFactory.createMicroservice(SpecModule, {
      strategy: server,
      logger: ['error'],
    });
    app.useGlobalFilters(new JetStreamExceptionFilter());
    await app.listen();
    this.apps.push(app);
    return app;
  }

  resolve(pattern: string): string {
    return this.client.subjects.resolve(pattern);
  }

  publish(pattern: string, payload: object, msgID: string): Promise<{ seq: number }> {
    return this.client.publish(this.resolve(pattern), payload, { msgID });
  }

  consumerInfo(durable: string): Promise<ConsumerInfo> {
    return this.client.jsm.consumers.info(this.client.subjects.tasksStream, durable);
  }

  /** The last DLQ copy of a message first published on `subject`. */
  dlqMessage(subject: string): Promise<StoredMsg | null> {
    return this.client.jsm.streams.getMessage(this.client.subjects.dlqStream, {
      last_by_subj: this.client.subjects.deadLetter(subject),
    });
  }

  deadLetterOf(seq: number): Promise<DeadLetter> {
    return waitFor(() => this.deadLetters.find((d) => d.streamSeq === seq), 10_000, `DLQ ${seq}`);
  }

  /** Waits until the consumer has acked (or termed) everything up to `seq`. */
  settled(durable: string, seq: number): Promise<ConsumerInfo> {
    return waitFor(
      async () => {
        const info = await this.consumerInfo(durable);
        return info.num_ack_pending === 0 && info.ack_floor.stream_seq >= seq && info;
      },
      10_000,
      `${durable} to settle seq ${seq}`,
    );
  }
}
