import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

import { Webhook } from 'standardwebhooks';

import { type FetchPolicy, fetchPolicyFrom, postToUrl } from '@ferry/files';
import { type DueDelivery, WebhookRepository } from '@ferry/persistence';

import { GatewayConfig } from '../gateway.config';
import { toTaskResponse } from '../tasks/task-response';

/**
 * Tells webhooks that tasks ended (docs/API.md §6), beside the outbox relay and the sweeper: every
 * `FERRY_WEBHOOK_TICK_MS` it fans the task ends the `tasks_ended` trigger recorded out into
 * deliveries, then sends the due ones, each POST signed as Standard Webhooks says (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`; the `standardwebhooks` package) through the SSRF guard
 * of file fetches. A 2xx delivers; anything else is tried again after each delay of
 * `FERRY_WEBHOOK_BACKOFF_MS` (about 27 hours by default), then given up. It runs apart from
 * every task: a slow or dead receiver never delays or fails one.
 */
@Injectable()
export class WebhookRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookRelay.name);
  private readonly policy: FetchPolicy;
  private readonly backoff: number[];
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly config: GatewayConfig,
  ) {
    this.policy = fetchPolicyFrom(config);
    this.backoff = config.FERRY_WEBHOOK_BACKOFF_MS.split(',').map(Number);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.FERRY_WEBHOOK_TICK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while ((await this.webhooks.fanOut(100, (task, type) => envelope(task, type))) > 0);
      const lease = this.config.FERRY_WEBHOOK_TIMEOUT_MS * 2;
      const due = await this.webhooks.claimDue(20, lease);
      const sent = await Promise.allSettled(due.map((d) => this.send(d)));
      for (const r of sent) {
        // Not the receiver's failure (those are attempts): the attempt could not be recorded.
        if (r.status === 'rejected')
          this.logger.warn(`webhook attempt not recorded: ${String(r.reason)}`);
      }
    } catch (err) {
      this.logger.warn(`webhook relay tick failed: ${String(err)}`);
    } finally {
      this.running = false;
    }
  }

  private async send(d: DueDelivery): Promise<void> {
    const n = d.attempts + 1;
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      if (d.secretProblem !== null) throw new Error(d.secretProblem);
      const at = new Date();
      const signature = new Webhook(d.secret).sign(d.id, at, d.payload);
      const answer = await postToUrl(d.url, d.payload, {
        ...this.policy,
        timeoutMs: this.config.FERRY_WEBHOOK_TIMEOUT_MS,
        headers: {
          'webhook-id': d.id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signature,
        },
      });
      status = answer.status;
      if (status < 200 || status >= 300) error = `the receiver answered HTTP ${status}`;
    } catch (err) {
      error = (err instanceof Error ? err.message : String(err)).replace(/file_url/g, 'url');
    }
    const durationMs = Date.now() - started;
    const delay = this.backoff[n - 1];
    const next =
      error === null
        ? ({ delivered: true } as const)
        : {
            delivered: false as const,
            retryAt: delay === undefined ? null : new Date(Date.now() + delay),
          };
    await this.webhooks.recordAttempt(d.id, n, { status, error, durationMs }, next);
  }
}

/** The body of a task's webhook: Standard Webhooks' envelope around its TaskResponse. */
function envelope(task: Parameters<typeof toTaskResponse>[0], type: string) {
  return { type, timestamp: new Date().toISOString(), data: toTaskResponse(task) };
}
