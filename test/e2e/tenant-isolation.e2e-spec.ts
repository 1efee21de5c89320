import { randomBytes } from 'crypto';

import { FerryApi } from '../support/api';
import { type FerrySystem, startFerry } from '../support/ferry-system';
import {
  type Answer,
  CONNECTION_BODY,
  type Endpoint,
  endpointMatrix,
  type Fixtures,
  type Key,
  KEY_BODY,
  OWNER_CSV,
  runTask as run,
  SCHEDULE_BODY,
  uploadAs,
  WEBHOOK_BODY,
} from '../support/isolation-matrix';
import { documentedOperations } from '../support/openapi-operations';
import { addTenantKey, type KeyScope, scopeOfKey } from '../support/tenant-key';

const MISSING = 'task_01JZZZZZZZZZZZZZZZZZZZZZZZ';

/** docs/API.md §2 for every endpoint the gateway documents: who may call it, and whose data it reaches. */
describe('tenant isolation: every documented endpoint × every kind of caller', () => {
  let ferry: FerrySystem;
  let owner: FerryApi;
  let ownerScope: KeyScope;
  const keys = {} as Record<'reader' | 'writer' | 'otherTenant' | 'otherEnv', string>;
  const intruders = () => ({
    'another tenant': keys.otherTenant,
    'another environment': keys.otherEnv,
  });
  const unknownKey = `fry_${randomBytes(32).toString('base64url')}`;
  const fx = {} as Fixtures;
  const ENDPOINTS: Record<string, Endpoint> = endpointMatrix(() => ({ ferry, ownerScope, fx }));

  const taskRow = async (id: string) =>
    (await ferry.db.query('SELECT task_status, attempt, updated_at FROM tasks WHERE id = $1', [id]))
      .rows[0];
  /** A body with the id it names replaced, so two 404s can be compared whole. */
  const anonymised = (body: unknown, id: string) =>
    JSON.parse(JSON.stringify(body).split(id).join('<id>'));

  beforeAll(async () => {
    ferry = await startFerry();
    owner = new FerryApi(ferry.baseUrl, ferry.apiKey);
    ownerScope = await scopeOfKey(ferry, ferry.apiKey);
    keys.reader = await addTenantKey(ferry, ['task:read'], ownerScope);
    keys.writer = await addTenantKey(ferry, ['task:write'], ownerScope);
    keys.otherTenant = await addTenantKey(ferry, ['task:read', 'task:write']);
    keys.otherEnv = await addTenantKey(ferry, ['task:read', 'task:write'], {
      tenantId: ownerScope.tenantId,
    });
    fx.upload = (await uploadAs(ferry, ferry.apiKey, OWNER_CSV)).body;
    fx.imported = await run(owner, { task_type: 'IMPORT', file_url: fx.upload.file_url });
    expect(fx.imported).toMatchObject({
      task_status: 'COMPLETED',
      successful_records: 1,
      failed_records: 1,
    });
    fx.toRevert = await run(owner, { task_type: 'IMPORT', file_url: fx.upload.file_url });
    fx.exported = await run(owner, { task_type: 'EXPORT', file_url: 'store://exports/' });
    fx.exported2 = await run(owner, { task_type: 'EXPORT', file_url: 'store://exports/second/' });
    fx.failed = await run(owner, {
      task_type: 'IMPORT',
      file_url: 'store://uploads/none/missing.csv',
    });
    for (const [name, path, body] of [
      ['schedule', '/v1/tasks/scheduled', SCHEDULE_BODY],
      ['scheduleToDelete', '/v1/tasks/scheduled', SCHEDULE_BODY],
      ['connection', '/v1/connections', CONNECTION_BODY],
      ['connectionToDelete', '/v1/connections', CONNECTION_BODY],
      ['key', '/v1/secrets/api/keys', KEY_BODY],
      ['keyToRevoke', '/v1/secrets/api/keys', KEY_BODY],
      ['environment', '/v1/environments', { name: 'to rename' }],
      ['webhook', '/v1/webhooks', WEBHOOK_BODY],
      ['webhookToDelete', '/v1/webhooks', WEBHOOK_BODY],
    ] as const) {
      const created = await owner.request('POST', path, body);
      expect(created.status).toBe(201);
      fx[name] = created.body;
    }
    expect([fx.exported.task_status, fx.exported2.task_status, fx.failed.task_status]).toEqual([
      'COMPLETED',
      'COMPLETED',
      'FAILED',
    ]);
  });

  afterAll(() => ferry?.stop());

  it('covers every operation of /docs-json, with the permission the document names', async () => {
    const documented = await documentedOperations(ferry.baseUrl);
    const secured = documented.filter((o) => o.secured);
    expect(secured.map((o) => o.route).sort()).toEqual(Object.keys(ENDPOINTS).sort());
    for (const o of secured) expect(o.permission).toBe(ENDPOINTS[o.route].permission);
    expect(
      documented
        .filter((o) => !o.secured)
        .map((o) => o.route)
        .sort(),
    ).toEqual(Object.keys(PUBLIC).sort());
  });

  describe.each(Object.keys(ENDPOINTS))('%s', (route) => {
    const e = () => ENDPOINTS[route];
    const target = () => e().fixture?.() ?? '';
    /** Runs a refused request and checks it changed nothing (the owner's task, the task count). */
    async function refused(key: Key, id = target()): Promise<Answer> {
      const before = [
        await ferry.db.query('SELECT count(*) FROM tasks'),
        id && (await taskRow(id)),
      ];
      const a = await e().call(key, id);
      const after = [await ferry.db.query('SELECT count(*) FROM tasks'), id && (await taskRow(id))];
      expect(JSON.stringify(after)).toBe(JSON.stringify(before));
      return a;
    }
    const denied = (a: Answer, status: number) =>
      expect(a).toMatchObject({
        status,
        body: { code: 'permission_denied', http_status_code: status },
      });

    it('no key → 401', async () => denied(await refused(undefined), 401));
    it('unknown key → 401', async () => denied(await refused(unknownKey), 401));
    it('a key of the same scope without the permission → 403', async () => {
      const a = await refused(e().permission === 'task:read' ? keys.writer : keys.reader);
      denied(a, 403);
      expect(a.body.details).toEqual({ permission: e().permission });
    });
    it.each(['another tenant', 'another environment'] as const)(
      "%s's key: the owner's data is out of reach (a task: 404 exactly like a missing one)",
      async (who) => {
        const intruder = intruders()[who];
        if (e().foreign) return e().foreign?.(intruder, await scopeOfKey(ferry, intruder));
        const theirs = await refused(intruder);
        const missing = await e().call(intruder, MISSING);
        expect(theirs.status).toBe(404);
        expect(missing.status).toBe(404);
        expect(anonymised(theirs.body, target())).toEqual(anonymised(missing.body, MISSING));
        expect(theirs.body).toMatchObject({ code: 'not_found', http_status_code: 404 });
      },
    );
    it('the owner → success', async () => {
      const a = await e().call(ferry.apiKey, target());
      expect(a.status).toBe(e().success);
      e().succeeded(a);
    });
  });

  it.each([
    ['POST', '/v1/tasks'],
    ['PUT', `/v1/tasks/${MISSING}/status`],
  ])('%s %s: a body that does not parse is still a 401 without a key', async (method, path) => {
    const send = (body: string, key?: string) =>
      fetch(`${ferry.baseUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
        body,
      }).then((r) => r.status);
    const malformed = '{"task_type": ';
    const tooLarge = JSON.stringify({ pad: 'x'.repeat(200 * 1024) });
    expect([await send(malformed), await send(tooLarge)]).toEqual([401, 401]);
    expect([await send(malformed, unknownKey), await send(tooLarge, keys.reader)]).toEqual([
      401, 403,
    ]);
    expect([await send(malformed, ferry.apiKey), await send(tooLarge, ferry.apiKey)]).toEqual([
      400, 413,
    ]);
  });

  /** Operations without a key: they hold no tenant's data, or take a signed link instead. */
  const PUBLIC: Record<string, () => Promise<void>> = {
    'GET /health/live': () => publicWithoutTenantData('/health/live'),
    'GET /health/ready': () => publicWithoutTenantData('/health/ready'),
    'GET /metrics': () => publicWithoutTenantData('/metrics'),
    'GET /v1/files/{bucket}': async () => {
      const link = new URL(
        (await owner.request('GET', `/v1/tasks/${fx.exported.id}/download`)).body.download_url,
      );
      const other = new URL(
        (await owner.request('GET', `/v1/tasks/${fx.exported2.id}/download`)).body.download_url,
      );
      const variant = (change: (u: URL) => void) => {
        const u = new URL(link);
        change(u);
        return fetch(u);
      };
      const key = link.searchParams.get('key') ?? '';
      expect(key.startsWith(`${ownerScope.environmentId}/`)).toBe(true);
      const forged = [
        variant((u) => u.searchParams.set('key', other.searchParams.get('key') ?? '')), // another task's file
        variant((u) =>
          u.searchParams.set('key', key.replace(ownerScope.environmentId, 'env_other')),
        ),
        variant((u) => (u.pathname = '/v1/files/uploads')),
        variant((u) => u.searchParams.delete('signature')),
        variant((u) => u.searchParams.set('signature', other.searchParams.get('signature') ?? '')),
      ];
      for (const res of await Promise.all(forged)) {
        expect(res.status).toBe(403);
        expect(await res.json()).toMatchObject({
          code: 'permission_denied',
          message: expect.stringMatching(/link is not valid/),
        });
      }
      const good = await fetch(link);
      expect(good.status).toBe(200);
      expect(await good.text()).toContain('secret_event');
    },
  };
  async function publicWithoutTenantData(path: string): Promise<void> {
    const res = await fetch(`${ferry.baseUrl}${path}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const secret of [
      ownerScope.tenantId,
      ownerScope.environmentId,
      fx.imported.id,
      'secret_event',
    ]) {
      expect(text).not.toContain(secret);
    }
  }

  it.each(Object.keys(PUBLIC))('%s (no key) reveals nothing of a tenant', (route) =>
    PUBLIC[route](),
  );
});
