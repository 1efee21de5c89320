import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';

import { lastValueFrom } from 'rxjs';

import { gaugeFromCallback } from '@ferry/telemetry';

import type { ConsumerOptions } from './consumer.provisioner';
import { ConsumerRunner } from './consumer.runner';
import { type DeadLetterCallback, DeadLetterPublisher } from './dead-letter.publisher';
import { settleWithin } from './delay.util';
import { toError } from './error.util';
import { JetStreamClient } from './jetstream.client';
import type { JetStreamContext } from './jetstream.context';
import type { MessagingConfig } from './messaging.config';
import type { Status } from './nats.types';

export interface JetStreamServerOptions {
  config: MessagingConfig;
  /** Keyed by the logical pattern as written in @EventPattern, e.g. 'task.status.>'. */
  consumers: Record<string, ConsumerOptions>;
  /** Called (at least once, so keep it idempotent) after a message was copied to the DLQ. */
  onDeadLetter?: DeadLetterCallback;
  /** How long close() lets in-flight handlers finish before aborting them; default ackWaitMs. */
  shutdownTimeoutMs?: number;
}

export type JetStreamServerStatus = 'connected' | 'disconnected' | 'reconnecting';

// A type alias (not an interface) so that it satisfies Server's Record<string, Function>.
export type JetStreamServerEvents = {
  /** Every NATS connection status change (disconnect, reconnect, error, ...). */
  status: (status: Status) => void;
};

interface ServedConsumer {
  pattern: string;
  consumer: ConsumerOptions;
  handler: MessageHandler;
}

/** After aborting the handlers' signals, how long to wait for them to wind down. */
const ABORT_GRACE_MS = 2_000;

/**
 * Nest custom transport: serves handlers from durable JetStream pull consumers on the TASKS
 * stream (one consumer per entry of `options.consumers`, each needing a handler for its pattern:
 * an `@EventPattern` method, or one bound with `addHandler` as `connectTaskWorker` does).
 *
 *   NestFactory.createMicroservice(AppModule, { strategy: new JetStreamServer({...}) })
 */
export class JetStreamServer
  extends Server<JetStreamServerEvents, JetStreamServerStatus>
  implements CustomTransportStrategy
{
  protected override readonly logger = new Logger(JetStreamServer.name);
  private client?: JetStreamClient;
  private readonly runners: ConsumerRunner[] = [];
  private readonly handlerAbort = new AbortController();
  private serving = false;
  private readonly statusListeners = new Set<(status: Status) => void>();
  private closing?: Promise<void>;

  constructor(private readonly options: JetStreamServerOptions) {
    super();
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    this.start().then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  /** Stops pulling, lets in-flight handlers finish (bounded), then drains the connection. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  on<
    EventKey extends keyof JetStreamServerEvents = keyof JetStreamServerEvents,
    EventCallback extends JetStreamServerEvents[EventKey] = JetStreamServerEvents[EventKey],
  >(event: EventKey, callback: EventCallback): void {
    if (event === 'status') this.statusListeners.add(callback);
  }

  /** The raw NatsConnection. */
  unwrap<T>(): T {
    return this.getClient().nc as unknown as T;
  }

  /** The client this server publishes dead letters with (and tests inspect streams with). */
  getClient(): JetStreamClient {
    if (!this.client) throw new Error('JetStreamServer is not listening');
    return this.client;
  }

  /** Consumer lag at scrape time: messages not yet delivered, and delivered but not acked. */
  private exposeLag(client: JetStreamClient): void {
    const durables = Object.values(this.options.consumers).map((c) => c.durable);
    gaugeFromCallback(
      'ferry_consumer_pending',
      'JetStream consumer lag: messages pending delivery (state=pending) or awaiting ack (state=ack_pending)',
      ['consumer', 'state'],
      async () => {
        const out: Array<{ labels: Record<string, string>; value: number }> = [];
        for (const durable of durables) {
          const info = await client.jsm.consumers.info(client.subjects.tasksStream, durable);
          out.push({ labels: { consumer: durable, state: 'pending' }, value: info.num_pending });
          out.push({
            labels: { consumer: durable, state: 'ack_pending' },
            value: info.num_ack_pending,
          });
        }
        return out;
      },
    );
  }

  /** True once the consumers are bound, while the connection is up (readiness). */
  isServing(): boolean {
    return this.serving && (this.client?.isConnected() ?? false);
  }

  /**
   * Every consumer with its handler, or an error naming each that has none. Checked before
   * connecting: a consumer without a handler would leave its messages (and their tasks) waiting
   * until the sweeper gives them up, so it stops the start instead.
   */
  private served(consumers: Record<string, ConsumerOptions>): ServedConsumer[] {
    const served: ServedConsumer[] = [];
    const problems: string[] = [];
    for (const [pattern, consumer] of Object.entries(consumers)) {
      if (!(Number.isInteger(consumer.concurrency) && consumer.concurrency >= 1)) {
        problems.push(`consumer ${consumer.durable}: concurrency must be an integer >= 1`);
      }
      const handler = this.getHandlerByPattern(pattern);
      if (handler) served.push({ pattern, consumer, handler });
      else problems.push(`consumer ${consumer.durable} has no handler for '${pattern}'`);
    }
    if (problems.length > 0) throw new Error(`Cannot serve: ${problems.join('; ')}`);
    return served;
  }

  private async start(): Promise<void> {
    const { config, consumers, onDeadLetter } = this.options;
    const served = this.served(consumers);
    const client = await JetStreamClient.connect(config);
    this.client = client;
    client.onStatus((status) => this.onStatus(status));
    this._status$.next('connected');
    try {
      const deadLetters = new DeadLetterPublisher(client, onDeadLetter);
      for (const { pattern, consumer, handler } of served) {
        const runner = new ConsumerRunner(
          client,
          config,
          { pattern, ...consumer },
          (data, ctx) => this.invoke(handler, data, ctx),
          deadLetters,
          this.handlerAbort.signal,
        );
        await runner.start();
        this.runners.push(runner);
      }
      this.exposeLag(client);
      this.serving = true;
      for (const pattern of this.getHandlers().keys()) {
        if (!(pattern in consumers)) {
          this.logger.warn(
            `Handler for '${pattern}' has no consumer settings: it gets no messages`,
          );
        }
      }
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** Runs the handler (an `@EventPattern` one with Nest's guards, pipes and filters) to completion. */
  private async invoke(
    handler: MessageHandler,
    data: unknown,
    ctx: JetStreamContext,
  ): Promise<void> {
    await lastValueFrom(this.transformToObservable(handler(data, ctx)), {
      defaultValue: undefined,
    });
  }

  private async shutdown(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stopFetching()));
    const graceMs = this.options.shutdownTimeoutMs ?? this.options.config.ackWaitMs;
    const finished = await settleWithin(
      this.runners.map((runner) => runner.idle()),
      graceMs,
    );
    if (!finished) {
      this.logger.warn(`Handlers still running after ${graceMs} ms: aborting them`);
      this.handlerAbort.abort();
      await settleWithin(
        this.runners.map((runner) => runner.idle()),
        ABORT_GRACE_MS,
      );
    }
    await settleWithin(
      this.runners.map((runner) => runner.stopAdvisories()),
      ABORT_GRACE_MS,
    );
    try {
      await this.client?.drain();
    } catch (err) {
      this.logger.error(`Draining the NATS connection failed: ${toError(err).message}`);
    }
  }

  private onStatus(status: Status): void {
    switch (status.type) {
      case 'disconnect':
        this._status$.next('disconnected');
        break;
      case 'reconnecting':
        this._status$.next('reconnecting');
        break;
      case 'reconnect':
        this._status$.next('connected');
        break;
      default:
        break;
    }
    for (const listener of this.statusListeners) listener(status);
  }
}
