import { randomBytes } from 'crypto';

import { Webhook } from 'standardwebhooks';

import { newId } from '@ferry/contracts';

import { SecretBox } from '../secret-box';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { WebhookRepository } from './webhook.repository';

/**
 * Webhook secrets at rest (docs/API.md §6, docs/DECISIONS.md 115): sealed with FERRY_SECRETS_KEY,
 * never stored as they are answered, and opened where a delivery is signed, so a receiver holding
 * the answered secret still verifies it.
 */
describe('WebhookRepository secrets (PostgreSQL)', () => {
  let db: TestDatabase;
  const box = SecretBox.fromSetting(randomBytes(32).toString('hex'));
  let webhooks: WebhookRepository;

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_webhooks');
    webhooks = new WebhookRepository(db.ds, box);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const scope = () => ({ tenantId: 'ten', environmentId: newId('env') });
  const stored = async (sql: string, p: unknown[]) =>
    ((await db.ds.query(sql, p)) as Array<{ secret: string }>)[0].secret;

  /** A task of the scope that ends COMPLETED (the trigger records the end), naming `urls`. */
  const endedTask = async (s: { tenantId: string; environmentId: string }, urls: string[]) => {
    const id = newId('task');
    await db.ds.query(
      `INSERT INTO tasks (id, tenant_id, environment_id, task_type, entity_type, file_type, file_url,
                          task_status, metadata)
       VALUES ($1, $2, $3, 'IMPORT', 'EVENTS', 'CSV', 'https://x/y.csv', 'PROCESSING', $4)`,
      [id, s.tenantId, s.environmentId, JSON.stringify({ webhook_url: urls })],
    );
    await db.ds.query(`UPDATE tasks SET task_status = 'COMPLETED' WHERE id = $1`, [id]);
    return id;
  };

  /** Claims the due deliveries of `taskId` and checks each one's signature as a receiver would. */
  const signedAndVerified = async (taskId: string, receivers: Map<string, string>) => {
    await webhooks.fanOut(100, (task, type) => ({ type, data: { id: task.id } }));
    const due = (await webhooks.claimDue(100, 60_000)).filter((d) => d.payload.includes(taskId));
    expect(due.map((d) => d.url).sort()).toEqual([...receivers.keys()].sort());
    for (const d of due) {
      expect(d.secretProblem).toBeNull();
      const at = new Date();
      const headers = {
        'webhook-id': d.id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(d.secret).sign(d.id, at, d.payload),
      };
      // The receiver's own secret, the one the API answered.
      expect(new Webhook(receivers.get(d.url) ?? '').verify(d.payload, headers)).toEqual(
        JSON.parse(d.payload),
      );
    }
  };

  it('stores endpoint and environment secrets sealed, and signs deliveries that verify', async () => {
    const s = scope();
    const endpoint = await webhooks.createEndpoint(s, 'https://hooks.example/a', null, null);
    expect(endpoint.secret).toMatch(/^whsec_/);
    const inEndpoints = await stored('SELECT secret FROM webhook_endpoints WHERE id = $1', [
      endpoint.id,
    ]);
    expect(inEndpoints).not.toBe(endpoint.secret);
    expect(inEndpoints).not.toContain(endpoint.secret.slice('whsec_'.length));
    expect(inEndpoints).toMatch(/^v1:/);

    const environment = await webhooks.environmentSecret(s);
    expect(environment).toMatch(/^whsec_/);
    const inSecrets = await stored('SELECT secret FROM webhook_secrets WHERE environment_id = $1', [
      s.environmentId,
    ]);
    expect(inSecrets).not.toBe(environment);
    expect(inSecrets).toMatch(/^v1:/);
    expect(await webhooks.environmentSecret(s)).toBe(environment);

    const task = await endedTask(s, ['https://named.example/b']);
    await signedAndVerified(
      task,
      new Map([
        ['https://hooks.example/a', endpoint.secret],
        ['https://named.example/b', environment],
      ]),
    );
  });

  it('seals, at a start with a key, the secrets stored as they are before (once)', async () => {
    const s = scope();
    const id = newId('whk');
    const plain = `whsec_${randomBytes(24).toString('base64')}`;
    await db.ds.query(
      `INSERT INTO webhook_endpoints (id, tenant_id, environment_id, url, secret)
       VALUES ($1, $2, $3, 'https://hooks.example/old', $4)`,
      [id, s.tenantId, s.environmentId, plain],
    );
    // Before sealing it is used as it is.
    expect(await new WebhookRepository(db.ds, null).anySealed()).toBe(true); // the other test's
    expect(await webhooks.sealPlainSecrets()).toBeGreaterThanOrEqual(1);
    expect(await webhooks.sealPlainSecrets()).toBe(0);
    const now = await stored('SELECT secret FROM webhook_endpoints WHERE id = $1', [id]);
    expect(now).toMatch(/^v1:/);
    const task = await endedTask(s, []);
    await signedAndVerified(task, new Map([['https://hooks.example/old', plain]]));
  });

  it('without the key, a sealed secret fails its own attempt, saying why', async () => {
    const s = scope();
    await webhooks.createEndpoint(s, 'https://hooks.example/c', null, null);
    const task = await endedTask(s, []);
    const keyless = new WebhookRepository(db.ds, null);
    await keyless.fanOut(100, (t, type) => ({ type, data: { id: t.id } }));
    const due = (await keyless.claimDue(100, 60_000)).filter((d) => d.payload.includes(task));
    expect(due).toHaveLength(1);
    expect(due[0].secret).toBe('');
    expect(due[0].secretProblem).toMatch(/FERRY_SECRETS_KEY is not set/);
  });
});
