import { randomBytes } from 'crypto';

import { type DataSource } from 'typeorm';

import { newId, parseWebhookUrls } from '@ferry/contracts';

import { TaskEntity } from '../entities/task.entity';

export interface WebhookScope {
  tenantId: string;
  environmentId: string;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  status: string;
  created_at: Date;
}

/** A delivery the relay took to send now. */
export interface DueDelivery {
  id: string;
  url: string;
  event_type: string;
  /** The JSON body, as it is sent and signed. */
  payload: string;
  attempts: number;
  created_at: Date;
  secret: string;
}

export interface DeliveryAttempt {
  n: number;
  attempted_at: Date;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface DeliveryView {
  id: string;
  task_id: string;
  event_type: string;
  endpoint_id: string | null;
  url: string;
  state: string;
  attempts: number;
  next_attempt_at: Date | null;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
  attempt_log: DeliveryAttempt[];
}

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * SQL of webhooks (docs/API.md §6): the environment's endpoints and its secret for the URLs tasks
 * name, the fan-out of task ends into deliveries, the claim of due deliveries (`FOR UPDATE SKIP
 * LOCKED`, with a lease, so several gateways never send one attempt twice at once), and each
 * attempt's record.
 */
export class WebhookRepository {
  constructor(private readonly ds: DataSource) {}

  async createEndpoint(
    s: WebhookScope,
    url: string,
    description: string | null,
    userId: string | null,
  ): Promise<WebhookEndpoint & { secret: string }> {
    const rows: Array<WebhookEndpoint & { secret: string }> = await this.ds.query(
      `INSERT INTO webhook_endpoints (id, tenant_id, environment_id, url, description, secret, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING id, url, description, status, created_at, secret`,
      [newId('whk'), s.tenantId, s.environmentId, url, description, newSecret(), userId],
    );
    return rows[0];
  }

  listEndpoints(s: WebhookScope): Promise<WebhookEndpoint[]> {
    return this.ds.query(
      `SELECT id, url, description, status, created_at FROM webhook_endpoints
       WHERE tenant_id = $1 AND environment_id = $2 AND status = 'published' ORDER BY created_at, id`,
      [s.tenantId, s.environmentId],
    );
  }

  /** True when an endpoint of the scope was archived now. */
  async archiveEndpoint(s: WebhookScope, id: string): Promise<boolean> {
    const rows = await this.returning<{ id: string }>(
      `UPDATE webhook_endpoints SET status = 'archived'
       WHERE id = $1 AND tenant_id = $2 AND environment_id = $3 AND status = 'published' RETURNING id`,
      [id, s.tenantId, s.environmentId],
    );
    return rows.length > 0;
  }

  /** The environment's secret for URLs named by tasks, made on first use. */
  async environmentSecret(s: WebhookScope): Promise<string> {
    await this.ds.query(
      `INSERT INTO webhook_secrets (environment_id, tenant_id, secret) VALUES ($1, $2, $3)
       ON CONFLICT (environment_id) DO NOTHING`,
      [s.environmentId, s.tenantId, newSecret()],
    );
    const rows: Array<{ secret: string }> = await this.ds.query(
      'SELECT secret FROM webhook_secrets WHERE environment_id = $1 AND tenant_id = $2',
      [s.environmentId, s.tenantId],
    );
    return rows[0].secret;
  }

  /**
   * Turns up to `limit` task ends into deliveries, one per URL (the environment's endpoints, then
   * the task's `metadata.webhook_url`), in one transaction with the removal of the ends, so each
   * end fans out once. `payload` builds the body from the task row as it is now.
   */
  async fanOut(
    limit: number,
    payload: (task: TaskEntity, eventType: string) => unknown,
  ): Promise<number> {
    return this.ds.transaction(async (m) => {
      const ends: Array<{ seq: string; task_id: string; task_status: string }> = await m.query(
        `SELECT seq, task_id, task_status FROM task_end_events ORDER BY seq
         LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      let made = 0;
      for (const end of ends) {
        const task = await m.findOneBy(TaskEntity, { id: end.task_id });
        if (task) {
          const eventType = end.task_status === 'COMPLETED' ? 'task.completed' : 'task.failed';
          const endpoints: Array<{ id: string; url: string }> = await m.query(
            `SELECT id, url FROM webhook_endpoints
             WHERE tenant_id = $1 AND environment_id = $2 AND status = 'published' ORDER BY created_at, id`,
            [task.tenant_id, task.environment_id],
          );
          let named: string[] = [];
          try {
            named = parseWebhookUrls(task.metadata);
          } catch {
            named = []; // refused at create; a task that has one anyway is told nothing there
          }
          const targets = [
            ...endpoints.map((e) => ({ endpoint: e.id as string | null, url: e.url })),
            ...named.map((url) => ({ endpoint: null, url })),
          ];
          if (named.length > 0) {
            await m.query(
              `INSERT INTO webhook_secrets (environment_id, tenant_id, secret) VALUES ($1, $2, $3)
               ON CONFLICT (environment_id) DO NOTHING`,
              [task.environment_id, task.tenant_id, newSecret()],
            );
          }
          const body = JSON.stringify(payload(task, eventType));
          for (const t of targets) {
            await m.query(
              `INSERT INTO webhook_deliveries (id, tenant_id, environment_id, task_id, event_type, endpoint_id, url, payload)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
              [
                newId('msg'),
                task.tenant_id,
                task.environment_id,
                task.id,
                eventType,
                t.endpoint,
                t.url,
                body,
              ],
            );
            made++;
          }
        }
        await m.query('DELETE FROM task_end_events WHERE seq = $1', [end.seq]);
      }
      return made;
    });
  }

  /** Takes up to `limit` due deliveries for `leaseMs` (another gateway skips them meanwhile). */
  async claimDue(limit: number, leaseMs: number): Promise<DueDelivery[]> {
    return this.returning<DueDelivery>(
      `WITH due AS (
         SELECT id FROM webhook_deliveries
         WHERE state = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
       FROM due WHERE d.id = due.id
       RETURNING d.id, d.url, d.event_type, d.payload, d.attempts, d.created_at,
         coalesce((SELECT e.secret FROM webhook_endpoints e WHERE e.id = d.endpoint_id),
                  (SELECT s.secret FROM webhook_secrets s WHERE s.environment_id = d.environment_id)) AS secret`,
      [limit, leaseMs],
    );
  }

  /**
   * Records attempt `n` of a delivery and what comes next: delivered, another attempt at `retryAt`,
   * or (retryAt null) failed for good.
   */
  async recordAttempt(
    id: string,
    n: number,
    a: { status: number | null; error: string | null; durationMs: number },
    next: { delivered: true } | { delivered: false; retryAt: Date | null },
  ): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.query(
        `INSERT INTO webhook_attempts (delivery_id, n, status_code, error, duration_ms)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [id, n, a.status, a.error, a.durationMs],
      );
      const state = next.delivered ? 'delivered' : next.retryAt ? 'pending' : 'failed';
      await m.query(
        `UPDATE webhook_deliveries SET attempts = $2, state = $3, last_status = $4, last_error = $5,
           next_attempt_at = $6, delivered_at = CASE WHEN $3 = 'delivered' THEN now() END
         WHERE id = $1`,
        [id, n, state, a.status, a.error, next.delivered ? null : next.retryAt],
      );
    });
  }

  /** The scope's deliveries, newest first, each with its attempts; optionally of one task. */
  async listDeliveries(
    s: WebhookScope,
    taskId: string | null,
    limit: number,
  ): Promise<DeliveryView[]> {
    return this.ds.query(
      `SELECT d.id, d.task_id, d.event_type, d.endpoint_id, d.url, d.state, d.attempts,
         d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.delivered_at,
         coalesce((SELECT jsonb_agg(jsonb_build_object('n', a.n, 'attempted_at', a.attempted_at,
                     'status_code', a.status_code, 'error', a.error, 'duration_ms', a.duration_ms) ORDER BY a.n)
                   FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]'::jsonb) AS attempt_log
       FROM webhook_deliveries d
       WHERE d.tenant_id = $1 AND d.environment_id = $2 AND ($3::text IS NULL OR d.task_id = $3)
       ORDER BY d.created_at DESC, d.id DESC LIMIT $4`,
      [s.tenantId, s.environmentId, taskId, limit],
    );
  }

  /** The rows of an UPDATE … RETURNING (TypeORM answers those as `[rows, count]`). */
  private async returning<T>(sql: string, params: unknown[]): Promise<T[]> {
    const result = (await this.ds.query(sql, params)) as [T[], number] | T[];
    return Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
  }
}
