import { Logger } from '@nestjs/common';

import type { DeadLetterPublisher } from './dead-letter.publisher';
import { toError } from './error.util';
import type { JetStreamClient } from './jetstream.client';
import type { Msg, Subscription } from './nats.types';

interface MaxDeliveriesAdvisory {
  stream_seq: number;
  deliveries: number;
}

/**
 * Dead-letters messages whose worker never settled them on any delivery (crash, OOM kill): the
 * handler never got to do it, but the server announces them with a MAX_DELIVERIES advisory.
 */
export class MaxDeliveriesWatcher {
  private readonly logger: Logger;
  private sub?: Subscription;
  private work: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: JetStreamClient,
    private readonly stream: string,
    private readonly durable: string,
    private readonly deadLetters: DeadLetterPublisher,
  ) {
    this.logger = new Logger(`MaxDeliveriesWatcher:${durable}`);
  }

  get subject(): string {
    return `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${this.stream}.${this.durable}`;
  }

  /** Subscribes; flush the connection afterwards so the interest reaches the server. */
  start(): void {
    // A queue group, so that one replica (not every one) copies the message to the DLQ.
    this.sub = this.client.nc.subscribe(this.subject, {
      queue: this.durable,
      callback: (err, msg) => {
        if (err) {
          this.logger.error(`Advisory subscription failed: ${err.message}`);
          return;
        }
        this.work = this.work.then(() => this.onAdvisory(msg));
      },
    });
  }

  /** Unsubscribes and waits for the advisory being handled. */
  async stop(): Promise<void> {
    this.sub?.unsubscribe();
    await this.work;
  }

  private async onAdvisory(advisoryMsg: Msg): Promise<void> {
    try {
      const advisory = advisoryMsg.json<MaxDeliveriesAdvisory>();
      const stored = await this.client.jsm.streams.getMessage(this.stream, {
        seq: advisory.stream_seq,
      });
      if (!stored) {
        this.logger.warn(`Seq ${advisory.stream_seq} hit max deliveries but is no longer stored`);
        return;
      }
      await this.deadLetters.publish({
        subject: stored.subject,
        raw: stored.data,
        headers: stored.header,
        error: new Error(
          `No outcome after ${advisory.deliveries} deliveries (the worker stopped or timed out)`,
        ),
        deliveries: advisory.deliveries,
        stream: this.stream,
        streamSeq: advisory.stream_seq,
      });
    } catch (err) {
      // The original stays in the stream (limits retention), so it can still be recovered by hand.
      this.logger.error(`Handling a MAX_DELIVERIES advisory failed: ${toError(err).message}`);
    }
  }
}
