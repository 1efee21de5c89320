import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

import { JetStreamClient } from '@ferry/messaging';
import { OutboxRepository } from '@ferry/persistence';

import { GatewayConfig } from '../gateway.config';

/** A message written into the outbox, as the relay publishes it: the outbox row's id and its content. */
export interface OutboxEntry {
  id: string;
  subject: string;
  msgId: string;
  payload: object;
  /** The trace context of the request that created the task, stored with the outbox row. */
  headers?: Record<string, string> | null;
}

/**
 * Publishes outbox rows to JetStream. A new task's row is published right after its commit; a
 * sweeper publishes every row that is still unpublished a moment later (NATS was down, the process
 * died between commit and publish). JetStream drops a second publish of the same msgID, so a row
 * published twice by a race is still one message.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly js: JetStreamClient,
    private readonly config: GatewayConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.FERRY_OUTBOX_SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Fire and forget: the HTTP answer never waits for the broker. */
  publishSoon(message: OutboxEntry): void {
    void this.publishOne(message)
      .then(() => this.outbox.markPublished([message.id]))
      .catch((err: unknown) =>
        this.logger.warn(`outbox ${message.id} left for the sweeper: ${String(err)}`),
      );
  }

  /** Publishes what is left unpublished; returns how many went out. */
  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    try {
      let published = 0;
      await this.outbox.claimUnpublished(100, this.config.FERRY_OUTBOX_SWEEP_MS, async (rows) => {
        const done: string[] = [];
        const errors: Record<string, string> = {};
        for (const row of rows) {
          try {
            await this.publishOne({
              id: row.id,
              subject: row.subject,
              msgId: row.msg_id,
              payload: row.payload,
              headers: row.headers,
            });
            done.push(row.id);
          } catch (err) {
            this.logger.warn(`outbox ${row.id} not published yet: ${String(err)}`);
            errors[row.id] = String(err); // the row's last_error says why
            break; // the broker is likely down: try the rest on the next sweep
          }
        }
        published = done.length;
        return { published: done, errors };
      });
      return published;
    } catch (err) {
      this.logger.warn(`outbox sweep failed: ${String(err)}`);
      return 0;
    } finally {
      this.sweeping = false;
    }
  }

  private async publishOne(m: OutboxEntry): Promise<void> {
    await this.js.publish(m.subject, m.payload, {
      msgID: m.msgId,
      headers: m.headers ?? undefined,
      timeoutMs: 3000,
    });
  }
}
