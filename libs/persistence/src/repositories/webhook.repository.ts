import { randomBytes } from 'crypto';

import { type DataSource } from 'typeorm';

import { newId, parseWebhookUrls } from '@ferry/contracts';

import { TaskEntity } from '../entities/task.entity';
import { type SecretBox } from '../secret-box';

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
  /** The signing secret, opened; '' when it could not be (`secretProblem` says why). */
  secret: string;
  secretProblem: string | null;
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

/** What a sealed secret is bound to (the box's additional data): its table and row. */
const endpointBinding = (id: string) => `webhook_endpoints:${id}`;
const environmentBinding = (environmentId: string) => `webhook_secrets:${environmentId}`;
/** A secret as stored before sealing, or without a key (`SecretBox` values start with `v1:`). */
const isPlain = (stored: string) => stored.startsWith('whsec_');

/**
 * SQL of webhooks (docs/API.md §6): the environment's endpoints and its secret for the URLs tasks
 * name, the fan-out of task ends into deliveries, the claim of due deliveries (`FOR UPDATE SKIP
 * LOCKED`, with a lease, so several gateways never send one attempt twice at once), and each
 * attempt's record. Secrets are stored sealed by the box of `FERRY_SECRETS_KEY` (bound to their
 * row, as connections' are: docs/DECISIONS.md 75, 115) and opened only to sign a delivery or to
 * answer the environment's secret; without a key they are stored as they are.
 */
export class WebhookRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly box: SecretBox | null = null,
  ) {}

  private seal(plain: string, binding: string): string {
    return this.box ? this.box.seal(plain, binding) : plain;
  }

  private open(stored: string, binding: string): string {
    if (isPlain(stored)) return stored;
    if (!this.box) {
      throw new Error(
        'FERRY_SECRETS_KEY is not set, but webhook secrets are sealed: set the key they were sealed with',
      );
    }
    return this.box.open(stored, binding);
  }

  /**
   * Seals the secrets stored as they are (before decision 115, or while no key was set), at a
   * start with a key; each row only if it is still the plain one, so two gateways starting at
   * once seal it once. Returns how many it sealed.
   */
  async sealPlainSecrets(): Promise<number> {
    if (!this.box) return 0;
    let sealed = 0;
    const endpoints: Array<{ id: string; secret: string }> = await this.ds.query(
      "SELECT id, secret FROM webhook_endpoints WHERE secret LIKE 'whsec\\_%'",
    );
    for (const e of endpoints) {
      const done = await this.returning<{ id: string }>(
        'UPDATE webhook_endpoints SET secret = $3 WHERE id = $1 AND secret = $2 RETURNING id',
        [e.id, e.secret, this.seal(e.secret, endpointBinding(e.id))],
      );
      sealed += done.length;
    }
    const environments: Array<{ environment_id: string; secret: string }> = await this.ds.query(
      "SELECT environment_id, secret FROM webhook_secrets WHERE secret LIKE 'whsec\\_%'",
    );
    for (const e of environments) {
      const done = await this.returning<{ environment_id: string }>(
        `UPDATE webhook_secrets SET secret = $3 WHERE environment_id = $1 AND secret = $2
         RETURNING environment_id`,
        [e.environment_id, e.secret, this.seal(e.secret, environmentBinding(e.environment_id))],
      );
      sealed += done.length;
    }
    return sealed;
  }

  /** Whether any webhook secret is sealed: a gateway must not start without its key then. */
  async anySealed(): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `SELECT 1 FROM webhook_endpoints WHERE secret NOT LIKE 'whsec\\_%'
       UNION ALL SELECT 1 FROM webhook_secrets WHERE secret NOT LIKE 'whsec\\_%' LIMIT 1`,
    );
    return rows.length > 0;
  }

  async createEndpoint(
    s: WebhookScope,
    url: string,
    description: string | null,
    userId: string | null,
  ): Promise<WebhookEndpoint & { secret: string }> {
    const id = newId('whk');
    const secret = newSecret();
    const rows: WebhookEndpoint[] = await this.ds.query(
      `INSERT INTO webhook_endpoints (id, tenant_id, environment_id, url, description, secret, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING id, url, description, status, created_at`,
      [
        id,
        s.tenantId,
        s.environmentId,
        url,
        description,
        this.seal(secret, endpointBinding(id)),
        userId,
      ],
    );
    return { ...rows[0], secret };
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
      [s.environmentId, s.tenantId, this.seal(newSecret(), environmentBinding(s.environmentId))],
    );
    const rows: Array<{ secret: string }> = await this.ds.query(
      'SELECT secret FROM webhook_secrets WHERE environment_id = $1 AND tenant_id = $2',
      [s.environmentId, s.tenantId],
    );
    return this.open(rows[0].secret, environmentBinding(s.environmentId));
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
              [
                task.environment_id,
                task.tenant_id,
                this.seal(newSecret(), environmentBinding(task.environment_id)),
              ],
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
    const rows = await this.returning<
      Omit<DueDelivery, 'secret' | 'secretProblem'> & {
        endpoint_id: string | null;
        environment_id: string;
        endpoint_secret: string | null;
        environment_secret: string | null;
      }
    >(
      `WITH due AS (
         SELECT id FROM webhook_deliveries
         WHERE state = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
       FROM due WHERE d.id = due.id
       RETURNING d.id, d.url, d.event_type, d.payload, d.attempts, d.created_at, d.endpoint_id,
         d.environment_id,
         (SELECT e.secret FROM webhook_endpoints e WHERE e.id = d.endpoint_id) AS endpoint_secret,
         (SELECT s.secret FROM webhook_secrets s WHERE s.environment_id = d.environment_id) AS environment_secret`,
      [limit, leaseMs],
    );
    // Opened here, only to sign: the endpoint's secret, else the environment's (named URLs). One
    // that does not open fails its own attempt, not the others'.
    return rows.map(
      ({ endpoint_id, environment_id, endpoint_secret, environment_secret, ...d }) => {
        try {
          const secret =
            endpoint_id !== null && endpoint_secret !== null
              ? this.open(endpoint_secret, endpointBinding(endpoint_id))
              : this.open(environment_secret ?? '', environmentBinding(environment_id));
          return { ...d, secret, secretProblem: null };
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          return { ...d, secret: '', secretProblem: `the signing secret did not open: ${why}` };
        }
      },
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
