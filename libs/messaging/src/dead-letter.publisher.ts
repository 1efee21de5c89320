import { Logger } from '@nestjs/common';

import { headerValue } from './error.util';
import type { JetStreamClient } from './jetstream.client';
import type { MsgHdrs } from './nats.types';

/** What `onDeadLetter` receives once a message has been copied to the DLQ stream. */
export interface DeadLetter {
  /** The original subject, prefix included. */
  subject: string;
  /** The decoded payload, or the raw text when it was not valid JSON. */
  data: unknown;
  error: Error;
  /** Deliveries the message got before it was dead-lettered. */
  deliveries: number;
  /** Sequence of the original message in the TASKS stream. */
  streamSeq: number;
}

export type DeadLetterCallback = (deadLetter: DeadLetter) => Promise<void>;

export interface DeadLetterInput {
  subject: string;
  raw: Uint8Array;
  headers?: MsgHdrs;
  error: Error;
  deliveries: number;
  stream: string;
  streamSeq: number;
}

export const DLQ_HEADERS = {
  error: 'Ferry-Error',
  deliveries: 'Ferry-Deliveries',
  originalSubject: 'Ferry-Original-Subject',
} as const;

/**
 * Copies a message that cannot be processed to `dlq.<original subject>` and tells the app.
 * Used both by the consumer (handler failed for good) and by the MAX_DELIVERIES advisory
 * (worker died on every delivery).
 */
export class DeadLetterPublisher {
  private readonly logger = new Logger(DeadLetterPublisher.name);
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly client: JetStreamClient,
    private readonly onDeadLetter?: DeadLetterCallback,
  ) {}

  /**
   * Rejects when the copy could not be stored, so that the caller keeps the original message
   * (nak) rather than terminating it.
   */
  async publish(input: DeadLetterInput): Promise<void> {
    const hdrs: Record<string, string> = {};
    // Keep the app's headers (trace context, ...); Nats-* ones belong to the original publish.
    for (const key of input.headers?.keys() ?? []) {
      if (!key.toLowerCase().startsWith('nats-')) hdrs[key] = input.headers?.get(key) ?? '';
    }
    hdrs[DLQ_HEADERS.error] = headerValue(input.error.message || input.error.name);
    hdrs[DLQ_HEADERS.deliveries] = String(input.deliveries);
    hdrs[DLQ_HEADERS.originalSubject] = input.subject;
    const dlqSubject = this.client.subjects.deadLetter(input.subject);
    // The id makes the consumer path, the advisory path and several replicas store one copy.
    const { duplicate } = await this.client.publishRaw(dlqSubject, input.raw, {
      msgID: `dlq:${input.stream}:${input.streamSeq}`,
      headers: hdrs,
    });
    this.logger.warn(
      `Dead-lettered ${input.subject} seq ${input.streamSeq} after ${input.deliveries} ` +
        `deliveries${duplicate ? ' (already in the DLQ)' : ''}: ${input.error.message}`,
    );
    if (!this.onDeadLetter) return;
    try {
      await this.onDeadLetter({
        subject: input.subject,
        data: this.decode(input.raw),
        error: input.error,
        deliveries: input.deliveries,
        streamSeq: input.streamSeq,
      });
    } catch (err) {
      this.logger.error(
        `onDeadLetter failed for ${input.subject} seq ${input.streamSeq}: ${(err as Error).message}`,
      );
    }
  }

  private decode(raw: Uint8Array): unknown {
    const text = this.decoder.decode(raw);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
}
