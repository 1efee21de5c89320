import { Logger } from '@nestjs/common';

import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';

import { isRetryable } from '@ferry/contracts';
import { metrics, SpanKind, withLogContext, withSpanFrom } from '@ferry/telemetry';

import { type ConsumerSpec, ensureDurableConsumer } from './consumer.provisioner';
import type { DeadLetterPublisher } from './dead-letter.publisher';
import { delay, settleWithin } from './delay.util';
import { isNestGenericRpcError, toError } from './error.util';
import type { JetStreamClient } from './jetstream.client';
import { JetStreamContext } from './jetstream.context';
import { MaxDeliveriesWatcher } from './max-deliveries.watcher';
import type { MessagingConfig } from './messaging.config';

export type ConsumerHandler = (data: unknown, ctx: JetStreamContext) => Promise<void>;

/** A pull request stays open this long on the server; close() cancels it early. */
const FETCH_EXPIRES_MS = 30_000;
const MAX_FETCH_RETRY_DELAY_MS = 5_000;
const ACK_TIMEOUT_MS = 5_000;
const FETCH_CLOSE_TIMEOUT_MS = 1_000;

/**
 * Runs one durable pull consumer: `concurrency` slots that each pull one message, hand it to the
 * handler and settle it (ack / nak with backoff / dead-letter + term). Pulling one message per
 * free slot, rather than `consume()` with a prefetch buffer, means no message sits unprocessed
 * in memory while its ack_wait runs out and another replica gets it too.
 */
export class ConsumerRunner {
  private readonly logger: Logger;
  private readonly stopController = new AbortController();
  private readonly fetches = new Set<ConsumerMessages>();
  private readonly loops: Promise<void>[] = [];
  private consumer?: Consumer;
  private readonly watcher: MaxDeliveriesWatcher;
  private fetchFailures = 0;
  private warnedAboutFilter = false;

  constructor(
    private readonly client: JetStreamClient,
    private readonly config: MessagingConfig,
    readonly spec: ConsumerSpec,
    private readonly handle: ConsumerHandler,
    private readonly deadLetters: DeadLetterPublisher,
    /** Aborted by the owner when in-flight handlers must give up (shutdown took too long). */
    private readonly handlerSignal: AbortSignal,
  ) {
    this.logger = new Logger(`ConsumerRunner:${spec.durable}`);
    this.watcher = new MaxDeliveriesWatcher(client, this.stream, spec.durable, deadLetters);
  }

  get stream(): string {
    return this.client.subjects.tasksStream;
  }

  get filterSubject(): string {
    return this.client.subjects.resolve(this.spec.pattern);
  }

  private get stopping(): boolean {
    return this.stopController.signal.aborted;
  }

  async start(): Promise<void> {
    await this.ensureConsumer();
    this.watcher.start();
    // The advisory interest must reach the server before our first pull can trigger one.
    await this.client.nc.flush();
    for (let slot = 0; slot < this.spec.concurrency; slot++) this.loops.push(this.slotLoop());
    this.logger.log(
      `Consuming ${this.filterSubject} from ${this.stream} with concurrency ${this.spec.concurrency}`,
    );
  }

  /** Creates or updates the durable consumer (idempotent) and binds to it. */
  async ensureConsumer(): Promise<void> {
    await ensureDurableConsumer(this.client, this.config, this.spec);
    this.consumer = await this.client.js.consumers.get(this.stream, this.spec.durable);
  }

  /** Stops pulling; messages already being handled carry on (see `idle`). */
  async stopFetching(): Promise<void> {
    this.stopController.abort();
    // A closed fetch ends once its slot loop consumes it; bounded in case one is not iterated.
    await settleWithin(
      [...this.fetches].map((fetch) => fetch.close()),
      FETCH_CLOSE_TIMEOUT_MS,
    );
  }

  /** Settles when every slot has finished its current message (after `stopFetching`). */
  async idle(): Promise<void> {
    await Promise.allSettled(this.loops);
  }

  /** Stops listening to MAX_DELIVERIES advisories and waits for the one being handled. */
  stopAdvisories(): Promise<void> {
    return this.watcher.stop();
  }

  private async slotLoop(): Promise<void> {
    while (!this.stopping) {
      const msg = await this.fetchOne();
      if (!msg) continue;
      try {
        await this.process(msg);
      } catch (err) {
        // process() settles every outcome itself; this only keeps the slot alive on a bug.
        this.logger.error(`Processing seq ${msg.seq} failed: ${toError(err).message}`);
      }
    }
  }

  private async fetchOne(): Promise<JsMsg | null> {
    let fetch: ConsumerMessages | undefined;
    try {
      if (!this.consumer) await this.ensureConsumer();
      fetch = await (this.consumer as Consumer).fetch({
        max_messages: 1,
        expires: FETCH_EXPIRES_MS,
      });
      this.fetches.add(fetch);
      // stopFetching() may have run while this pull was being set up, and would not close it.
      // (Not awaited: the close completes only once the loop below consumes the iterator.)
      if (this.stopping) void fetch.close();
      for await (const msg of fetch) {
        this.pullSucceeded();
        if (!this.stopping) return msg;
        // Pulled while closing: hand it straight back for another replica.
        safely(() => msg.nak());
      }
      this.pullSucceeded(); // the pull request expired without a message
      return null;
    } catch (err) {
      if (this.stopping) return null;
      await this.recoverFromFetchError(err);
      return null;
    } finally {
      if (fetch) this.fetches.delete(fetch);
    }
  }

  private pullSucceeded(): void {
    if (this.fetchFailures === 0) return;
    this.logger.log(`Pulling from ${this.spec.durable} works again`);
    this.fetchFailures = 0;
  }

  private async recoverFromFetchError(err: unknown): Promise<void> {
    this.fetchFailures++;
    const message = `Pulling from ${this.spec.durable} failed (${this.fetchFailures}x): ${toError(err).message}`;
    // While NATS is down every slot fails in a loop; say it once loudly, then quietly.
    if (this.fetchFailures === 1) this.logger.warn(message);
    else this.logger.debug(message);
    if (/not found/i.test(toError(err).message)) {
      // Someone deleted the stream or the consumer: put them back rather than idle forever.
      try {
        await this.client.ensureStreams();
        await this.ensureConsumer();
      } catch (ensureErr) {
        this.logger.debug(`Re-creating ${this.spec.durable} failed: ${toError(ensureErr).message}`);
      }
    }
    const wait = Math.min(250 * 2 ** Math.min(this.fetchFailures - 1, 5), MAX_FETCH_RETRY_DELAY_MS);
    await delay(wait, this.stopController.signal);
  }

  private async process(msg: JsMsg): Promise<void> {
    const ctx = new JetStreamContext(msg, {
      maxDeliver: this.config.maxDeliver,
      signal: this.handlerSignal,
    });
    let data: unknown;
    try {
      data = JSON.parse(msg.string()) as unknown;
    } catch (err) {
      await this.deadLetter(msg, new Error(`Payload is not valid JSON: ${toError(err).message}`));
      return;
    }
    const consumer = this.spec.durable;
    if (ctx.deliveryCount > 1) metrics.redeliveries.inc({ consumer });
    const timer = metrics.handlerSeconds.startTimer({ consumer });
    // Long imports outlive ack_wait; the heartbeat tells the server this worker is still on it.
    const heartbeat = setInterval(() => ctx.working(), Math.max(100, this.config.ackWaitMs / 3));
    try {
      const about = taskFields(data);
      await withLogContext(about, () =>
        withSpanFrom(
          ctx.headers,
          `${this.spec.durable} process`,
          SpanKind.CONSUMER,
          {
            'messaging.system': 'nats',
            'messaging.destination.name': msg.subject,
            'messaging.message.delivery_count': ctx.deliveryCount,
            ...about,
          },
          () => this.handle(data, ctx),
        ),
      );
    } catch (err) {
      clearInterval(heartbeat);
      timer();
      await this.onFailure(msg, ctx, err);
      return;
    }
    clearInterval(heartbeat);
    timer();
    metrics.messages.inc({ consumer, outcome: 'ack' });
    try {
      await msg.ackAck({ timeout: ACK_TIMEOUT_MS });
    } catch (err) {
      // The work is committed; the redelivery this causes finds it done (idempotent handlers).
      this.logger.warn(
        `Ack of ${msg.subject} seq ${msg.seq} was not confirmed: ${toError(err).message}`,
      );
    }
  }

  private async onFailure(msg: JsMsg, ctx: JetStreamContext, failure: unknown): Promise<void> {
    const error = toError(failure);
    if (isNestGenericRpcError(failure) && !this.warnedAboutFilter) {
      this.warnedAboutFilter = true;
      this.logger.warn(
        'A handler error reached the transport as Nest\'s generic "Internal server error": ' +
          'register JetStreamExceptionFilter (app.useGlobalFilters) so that non-retryable ' +
          'FerryErrors are dead-lettered at once instead of being retried',
      );
    }
    if (this.handlerSignal.aborted) {
      // Interrupted by shutdown, not a fault of the message: let another replica take it now.
      this.logger.warn(`Handler for ${ctx.subject} seq ${msg.seq} interrupted by shutdown`);
      safely(() => msg.nak());
      return;
    }
    if (isRetryable(failure) && !ctx.isLastDelivery) {
      const wait = this.backoffFor(ctx.deliveryCount);
      this.logger.warn(
        `Handler for ${ctx.subject} seq ${msg.seq} failed on delivery ${ctx.deliveryCount}/` +
          `${this.config.maxDeliver}, retrying in ${wait} ms: ${error.message}`,
      );
      metrics.messages.inc({ consumer: this.spec.durable, outcome: 'nak' });
      safely(() => msg.nak(wait));
      return;
    }
    await this.deadLetter(msg, error);
  }

  private async deadLetter(msg: JsMsg, error: Error): Promise<void> {
    try {
      await this.deadLetters.publish({
        subject: msg.subject,
        raw: msg.data,
        headers: msg.headers,
        error,
        deliveries: msg.info.deliveryCount,
        stream: msg.info.stream,
        streamSeq: msg.info.streamSequence,
      });
    } catch (err) {
      // Keep the original until its copy is safe; the MAX_DELIVERIES advisory catches the end.
      this.logger.error(
        `Could not dead-letter ${msg.subject} seq ${msg.seq}, will retry: ${toError(err).message}`,
      );
      safely(() => msg.nak(this.backoffFor(msg.info.deliveryCount)));
      return;
    }
    metrics.messages.inc({ consumer: this.spec.durable, outcome: 'dead_letter' });
    safely(() => msg.term());
  }

  private backoffFor(deliveryCount: number): number {
    const { backoffMs } = this.config;
    return backoffMs[deliveryCount - 1] ?? backoffMs[backoffMs.length - 1] ?? 0;
  }
}

/** ack/nak/term/working throw once the connection is closed; the server redelivers anyway. */
function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // See above: nothing to do, the message will be redelivered after ack_wait.
  }
}

/** Messages about a task carry its ids; logs and spans of the handler carry them too. */
function taskFields(data: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (data && typeof data === 'object') {
    for (const key of ['task_id', 'tenant_id', 'environment_id']) {
      const value = (data as Record<string, unknown>)[key];
      if (typeof value === 'string') out[key] = value;
    }
  }
  return out;
}
