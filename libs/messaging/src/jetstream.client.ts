import { Logger } from '@nestjs/common';

import {
  jetstream,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient as NatsJetStream,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';

import { Subjects } from '@ferry/contracts';
import { traceHeaders } from '@ferry/telemetry';

import { type MessagingConfig, serverList } from './messaging.config';
import {
  connect,
  headers as natsHeaders,
  type MsgHdrs,
  nanos,
  type NatsConnection,
  type Status,
} from './nats.types';

export interface PublishOptions {
  /** JetStream drops a second message with the same id inside the duplicate window. */
  msgID: string;
  headers?: Record<string, string>;
  /** How long to wait for the stream's ack; default 5000. */
  timeoutMs?: number;
}

export interface PublishResult {
  /** Stream sequence of the stored message (of the first one when `duplicate`). */
  seq: number;
  duplicate: boolean;
}

export type StatusListener = (status: Status) => void;

const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;
/** JetStream API error "stream name already in use" (not in nats.js' JetStreamApiCodes). */
const STREAM_NAME_IN_USE = 10058;

/**
 * One NATS connection with JetStream: provisions the TASKS and DLQ streams and publishes with a
 * msgID. Plain class (no Nest DI) so scripts and tests can use it too.
 */
export class JetStreamClient {
  readonly subjects: Subjects;
  private readonly logger = new Logger(JetStreamClient.name);
  private readonly encoder = new TextEncoder();
  private readonly statusListeners = new Set<StatusListener>();
  private connected = true;

  private constructor(
    readonly config: MessagingConfig,
    /** Raw connection, for tests and for subscriptions this class does not wrap. */
    readonly nc: NatsConnection,
    readonly js: NatsJetStream,
    readonly jsm: JetStreamManager,
  ) {
    this.subjects = new Subjects(config.prefix);
    void this.watchStatus();
  }

  /** Connects (reconnecting forever afterwards) and makes sure both streams exist. */
  static async connect(config: MessagingConfig): Promise<JetStreamClient> {
    const nc = await connect({
      servers: serverList(config),
      name: config.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: config.reconnectTimeWaitMs,
    });
    try {
      const jsm = await jetstreamManager(nc);
      const client = new JetStreamClient(config, nc, jetstream(nc), jsm);
      await client.ensureStreams();
      return client;
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  /** Creates the TASKS and DLQ streams, or brings their settings up to date. Idempotent. */
  async ensureStreams(): Promise<void> {
    await this.ensureStream(this.subjects.tasksStream, this.subjects.tasksWildcard);
    await this.ensureStream(this.subjects.dlqStream, this.subjects.dlqWildcard);
  }

  /** Publishes `payload` as JSON; resolves once the stream has stored it (or dropped a duplicate). */
  publish(subject: string, payload: object, opts: PublishOptions): Promise<PublishResult> {
    return this.publishRaw(subject, this.encoder.encode(JSON.stringify(payload)), opts);
  }

  /** Same as `publish` for bytes that are already encoded (e.g. copying a message to the DLQ). */
  async publishRaw(
    subject: string,
    data: Uint8Array,
    opts: PublishOptions,
  ): Promise<PublishResult> {
    const hdrs: MsgHdrs = natsHeaders();
    // The active trace travels with the message; explicit headers (e.g. an outbox row's stored
    // trace context) win.
    const all = { ...traceHeaders(), ...opts.headers };
    for (const [key, value] of Object.entries(all)) hdrs.set(key, value);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
    // nats.js times the request out itself; the outer guard also covers a connection stuck in a
    // state where the request is never sent, so a caller is never left waiting forever.
    const ack = await withTimeout(
      this.js.publish(subject, data, { msgID: opts.msgID, headers: hdrs, timeout: timeoutMs }),
      timeoutMs + 250,
      `publish to ${subject} timed out after ${timeoutMs} ms`,
    );
    return { seq: ack.seq, duplicate: ack.duplicate };
  }

  /** False while the connection is down (reconnecting) or closed. */
  isConnected(): boolean {
    return this.connected && !this.nc.isClosed() && !this.nc.isDraining();
  }

  /** Called with every connection status change; returns an unsubscribe function. */
  onStatus(listener: StatusListener): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Flushes pending publishes and acks, then closes. Safe to call twice. */
  async drain(): Promise<void> {
    if (this.nc.isClosed() || this.nc.isDraining()) {
      await this.nc.closed();
      return;
    }
    await this.nc.drain();
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close();
  }

  private async ensureStream(name: string, subject: string): Promise<void> {
    const wanted = {
      subjects: [subject],
      max_age: nanos(this.config.streamMaxAgeMs),
      duplicate_window: nanos(this.config.duplicateWindowMs),
      num_replicas: this.config.streamReplicas,
    } satisfies Partial<StreamConfig>;
    let current: StreamConfig;
    try {
      current = (await this.jsm.streams.info(name)).config;
    } catch (err) {
      if (!isApiError(err, JetStreamApiCodes.StreamNotFound)) throw err;
      try {
        await this.jsm.streams.add({
          name,
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          ...wanted,
        });
        this.logger.log(`Created stream ${name} (${subject})`);
        return;
      } catch (addErr) {
        // Another replica created it between our info and add: check it like an existing one.
        if (!isApiError(addErr, STREAM_NAME_IN_USE)) throw addErr;
        current = (await this.jsm.streams.info(name)).config;
      }
    }
    const upToDate =
      current.subjects.length === 1 &&
      current.subjects[0] === subject &&
      current.max_age === wanted.max_age &&
      current.duplicate_window === wanted.duplicate_window &&
      current.num_replicas === wanted.num_replicas;
    if (upToDate) return;
    await this.jsm.streams.update(name, wanted);
    this.logger.log(`Updated stream ${name}`);
  }

  private async watchStatus(): Promise<void> {
    try {
      for await (const status of this.nc.status()) {
        switch (status.type) {
          case 'disconnect':
            this.connected = false;
            this.logger.warn(`Disconnected from NATS ${status.server}`);
            break;
          case 'reconnect':
            this.connected = true;
            this.logger.log(`Reconnected to NATS ${status.server}`);
            break;
          case 'error':
            this.logger.error(`NATS error: ${status.error.message}`);
            break;
          default:
            break;
        }
        for (const listener of this.statusListeners) listener(status);
      }
    } catch (err) {
      this.logger.error(`NATS status watcher stopped: ${(err as Error).message}`);
    }
  }
}

export function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
