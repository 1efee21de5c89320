import { FerryApi } from './api';
import type { FerrySystem } from './ferry-system';
import { readSse } from './sse';
import { addTenantKey, type KeyScope, scopeOfKey } from './tenant-key';

/**
 * The tenant-isolation matrix of test/e2e/tenant-isolation.e2e-spec.ts: for every endpoint that
 * needs a key, how to call it, on which of the owner's tasks, what the owner's success shows, and
 * (for endpoints of no one task) what "another tenant's data" means for it.
 */
export type Key = string | undefined;
export interface Answer {
  status: number;
  body: any;
}
export interface Endpoint {
  permission: 'task:read' | 'task:write' | 'key:manage';
  success: number;
  /** The request with `key`, on `id` (an endpoint of one task) or on the owner's data. */
  call(key: Key, id?: string): Promise<Answer>;
  /** The owner's task the endpoint acts on; absent for endpoints of no one task. */
  fixture?: () => string;
  /** What the owner's success must show. */
  succeeded(a: Answer): void;
  /** The cross-tenant check of an endpoint of no one task (`intruder` is another scope's key). */
  foreign?: (intruder: string, scope: KeyScope) => Promise<void>;
}

export const SECRET_ROW = 'secret_event,cust_secret,2024-01-01T00:00:00Z';
/** The owner's file: one good row (its event name must never reach another scope), one bad. */
export const OWNER_CSV = `event_name,external_customer_id,timestamp\n${SECRET_ROW}\nbad,c,not-a-time\n`;

/** The owner's data every case runs against. */
export interface Fixtures {
  upload: { file_url: string };
  imported: any;
  exported: any;
  exported2: any;
  failed: any;
  /** The owner's scheduled export (built-in store) and one to delete; the same for connections. */
  schedule: any;
  scheduleToDelete: any;
  connection: any;
  connectionToDelete: any;
  /** An API key the owner made (`POST /v1/secrets/api/keys`), one to revoke, an environment to rename. */
  key: any;
  keyToRevoke: any;
  environment: any;
  /** An import to revert, and the owner's webhook and one to delete (issue 15). */
  toRevert: any;
  webhook: any;
  webhookToDelete: any;
}

/** The body of the keys the isolation cases make. */
export const KEY_BODY = { name: 'isolation', type: 'private_key' };

/** A webhook of the owner (loopback: nothing listens there, deliveries just fail). */
export const WEBHOOK_BODY = { url: 'http://127.0.0.1:9/iso-hook' };

/** A scheduled export of the built-in store, as the isolation cases create them. */
export const SCHEDULE_BODY = {
  connection_id: 'store',
  entity_type: 'events',
  interval: 'hourly',
  job_config: { key_prefix: 'iso' },
};

/** An S3 connection (its secrets never come back). */
export const CONNECTION_BODY = {
  name: 'warehouse',
  provider_type: 's3',
  encrypted_secret_data: {
    aws_access_key_id: 'AKIAISOLATION',
    aws_secret_access_key: 'iso-secret-key',
  },
};

export function asKey(ferry: FerrySystem, key: Key): FerryApi {
  return new FerryApi(ferry.baseUrl, key ?? '');
}

export async function uploadAs(ferry: FerrySystem, key: Key, text: string): Promise<Answer> {
  const res = await fetch(`${ferry.baseUrl}/v1/uploads?file_name=events.csv`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', ...(key ? { 'x-api-key': key } : {}) },
    body: text,
  });
  return { status: res.status, body: await res.json() };
}

/** Creates an EVENTS task (CSV unless said) and waits until it ends. */
export async function runTask(client: FerryApi, body: Record<string, unknown>): Promise<any> {
  const res = await client.createTask({ entity_type: 'EVENTS', file_type: 'CSV', ...body });
  expect(res.status).toBe(202);
  return client.waitForTask(res.body.id);
}

/** What the cases run against; read when a case runs (the system starts in beforeAll). */
export interface World {
  ferry: FerrySystem;
  ownerScope: KeyScope;
  fx: Fixtures;
}

export function endpointMatrix(world: () => World): Record<string, Endpoint> {
  const db = () => world().ferry.db;
  const fx = () => world().fx;
  const ownerScope = () => world().ownerScope;
  const owner = () => asKey(world().ferry, world().ferry.apiKey);
  const as = (key: Key) => asKey(world().ferry, key);
  /** A key of `scope` that may manage keys (the intruders' own keys may not). */
  const managerOf = (scope: KeyScope) =>
    addTenantKey(world().ferry, ['task:read', 'task:write', 'key:manage'], scope);
  const upload = (key: Key, text: string) => uploadAs(world().ferry, key, text);
  const run = runTask;

  return {
    'POST /v1/tasks': {
      permission: 'task:write',
      success: 202,
      call: (key) =>
        as(key).createTask({
          task_type: 'EXPORT',
          entity_type: 'EVENTS',
          file_type: 'CSV',
          file_url: 'store://exports/',
        }),
      succeeded: (a) =>
        expect(a.body).toMatchObject({ task_status: 'PENDING', tenant_id: ownerScope().tenantId }),
      foreign: async (intruder, scope) => {
        const them = as(intruder);
        // The owner's upload and export files, named by their URLs: nothing in this namespace.
        for (const url of [fx().upload.file_url, fx().exported.file_url]) {
          const t = await run(them, { task_type: 'IMPORT', file_url: url });
          expect(t).toMatchObject({
            task_status: 'FAILED',
            successful_records: 0,
            tenant_id: scope.tenantId,
          });
          expect(t.error_summary).toBe(`file_url ${url} was not found in the built-in store`);
        }
        const leaked = await db().query(
          `SELECT count(*)::int AS n FROM events WHERE environment_id = $1 AND event_name = 'secret_event'`,
          [scope.environmentId],
        );
        expect(leaked.rows[0].n).toBe(0);
        // An export written to the owner's upload URL lands in the intruder's own namespace.
        await run(them, { task_type: 'EXPORT', file_url: fx().upload.file_url });
        const again = await run(owner(), { task_type: 'IMPORT', file_url: fx().upload.file_url });
        expect(again).toMatchObject({ successful_records: 1, failed_records: 1 });
        // The owner's Idempotency-Key is the intruder's own key: a new task, not the owner's.
        const body = {
          task_type: 'EXPORT',
          entity_type: 'EVENTS',
          file_type: 'CSV',
          file_url: 'store://exports/',
        };
        const headers = { 'Idempotency-Key': `shared-${scope.environmentId}` };
        const mine = await owner().createTask(body, headers);
        const theirs = await them.createTask(body, headers);
        expect(theirs.status).toBe(202);
        expect(theirs.body.id).not.toBe(mine.body.id);
        expect(theirs.body).toMatchObject({
          tenant_id: scope.tenantId,
          environment_id: scope.environmentId,
        });
      },
    },
    'GET /v1/tasks': {
      permission: 'task:read',
      success: 200,
      call: (key) => as(key).request('GET', '/v1/tasks?limit=1000'),
      succeeded: (a) => {
        const ids = a.body.items.map((t: any) => t.id);
        expect(ids).toEqual(
          expect.arrayContaining([fx().imported.id, fx().exported.id, fx().failed.id]),
        );
        for (const t of a.body.items)
          expect(t).toMatchObject({ environment_id: ownerScope().environmentId });
      },
      foreign: async (intruder, scope) => {
        const own = await db().query(
          'SELECT count(*)::int AS n FROM tasks WHERE environment_id = $1',
          [scope.environmentId],
        );
        const ownerIds = new Set(
          (
            await db().query('SELECT id FROM tasks WHERE environment_id = $1', [
              ownerScope().environmentId,
            ])
          ).rows.map((r) => r.id),
        );
        const filters = [
          '',
          'created_by=user_default',
          'task_type=EXPORT',
          'task_type=IMPORT&task_status=COMPLETED',
          'entity_type=EVENTS&status=published',
          'start_time=2000-01-01T00:00:00Z&sort=completed_at&order=asc',
          'offset=0&sort=updated_at',
        ];
        for (const f of filters) {
          const a = await as(intruder).request('GET', `/v1/tasks?limit=1000&${f}`);
          expect(a.status).toBe(200);
          for (const t of a.body.items) {
            expect(ownerIds.has(t.id)).toBe(false);
            expect(t).toMatchObject({
              tenant_id: scope.tenantId,
              environment_id: scope.environmentId,
            });
          }
          expect(a.body.pagination.total).toBeLessThanOrEqual(own.rows[0].n);
        }
      },
    },
    'GET /v1/tasks/{id}': {
      permission: 'task:read',
      success: 200,
      fixture: () => fx().imported.id,
      call: (key, id) => as(key).request('GET', `/v1/tasks/${id}`),
      succeeded: (a) =>
        expect(a.body).toMatchObject({ id: fx().imported.id, task_status: 'COMPLETED' }),
    },
    'PUT /v1/tasks/{id}/status': {
      permission: 'task:write',
      success: 200,
      fixture: () => fx().failed.id,
      call: (key, id) =>
        as(key).request('PUT', `/v1/tasks/${id}/status`, { task_status: 'PROCESSING' }),
      succeeded: (a) => expect(a.body.message).toMatch(/is being retried/),
    },
    'GET /v1/tasks/{id}/errors': {
      permission: 'task:read',
      success: 200,
      fixture: () => fx().imported.id,
      call: (key, id) => as(key).request('GET', `/v1/tasks/${id}/errors`),
      succeeded: (a) =>
        expect(a.body).toMatch(/^row_number,error_code,error_message,.*\r?\n3,invalid_value,/),
    },
    'GET /v1/tasks/{id}/warnings': {
      permission: 'task:read',
      success: 200,
      fixture: () => fx().imported.id,
      call: (key, id) => as(key).request('GET', `/v1/tasks/${id}/warnings`),
      succeeded: (a) => expect(a.body).toMatch(/^row_number,warning_message/),
    },
    'GET /v1/tasks/{id}/download': {
      permission: 'task:read',
      success: 200,
      fixture: () => fx().exported.id,
      call: (key, id) => as(key).request('GET', `/v1/tasks/${id}/download`),
      succeeded: (a) => expect(a.body.download_url).toMatch(/\/v1\/files\/exports\?/),
    },
    'GET /v1/tasks/{id}/events': {
      permission: 'task:read',
      success: 200,
      fixture: () => fx().imported.id,
      call: async (key, id) => {
        const r = await readSse(
          `${world().ferry.baseUrl}/v1/tasks/${id}/events`,
          key,
          undefined,
          30_000,
        );
        return { status: r.status, body: r.error ?? r.messages };
      },
      succeeded: (a) => expect(a.body.map((m: any) => m.event)).toContain('end'),
    },
    'POST /v1/uploads': {
      permission: 'task:write',
      success: 201,
      call: (key) => upload(key, OWNER_CSV),
      succeeded: (a) =>
        expect(a.body.file_url).toMatch(/^store:\/\/uploads\/upload_\w+\/events\.csv$/),
      foreign: async (intruder) => {
        const theirs = await upload(
          intruder,
          'event_name,external_customer_id,timestamp\nx,y,2024-01-01T00:00:00Z\n',
        );
        expect(theirs.status).toBe(201);
        const t = await run(owner(), { task_type: 'IMPORT', file_url: theirs.body.file_url });
        expect(t.task_status).toBe('FAILED');
        expect(t.error_summary).toMatch(/was not found in the built-in store$/);
      },
    },

    'POST /v1/tasks/scheduled': {
      permission: 'task:write',
      success: 201,
      call: (key) => as(key).request('POST', '/v1/tasks/scheduled', SCHEDULE_BODY),
      succeeded: (a) =>
        expect(a.body).toMatchObject({ enabled: true, tenant_id: ownerScope().tenantId }),
      foreign: async (intruder, scope) => {
        // The owner's connection is no connection of the intruder's environment.
        const a = await as(intruder).request('POST', '/v1/tasks/scheduled', {
          ...SCHEDULE_BODY,
          connection_id: fx().connection.id,
          job_config: { bucket: 'b' },
        });
        expect(a.status).toBe(400);
        expect(a.body.message).toMatch(/names no connection of this environment/);
        const mine = await as(intruder).request('POST', '/v1/tasks/scheduled', SCHEDULE_BODY);
        expect(mine.body).toMatchObject({
          tenant_id: scope.tenantId,
          environment_id: scope.environmentId,
        });
      },
    },
    'GET /v1/tasks/scheduled': {
      permission: 'task:read',
      success: 200,
      call: (key) => as(key).request('GET', '/v1/tasks/scheduled?limit=1000'),
      succeeded: (a) => expect(a.body.items.map((s: any) => s.id)).toContain(fx().schedule.id),
      foreign: async (intruder, scope) => {
        for (const f of ['', 'entity_type=events', 'enabled=true', `connection_id=store`]) {
          const a = await as(intruder).request('GET', `/v1/tasks/scheduled?limit=1000&${f}`);
          expect(a.status).toBe(200);
          for (const s of a.body.items)
            expect(s).toMatchObject({ environment_id: scope.environmentId });
        }
      },
    },
    'GET /v1/tasks/scheduled/{id}': {
      permission: 'task:read',
      success: 200,
      fixture: () => fx().schedule.id,
      call: (key, id) => as(key).request('GET', `/v1/tasks/scheduled/${id}`),
      succeeded: (a) =>
        expect(a.body).toMatchObject({ id: fx().schedule.id, entity_type: 'events' }),
    },
    'PUT /v1/tasks/scheduled/{id}': {
      permission: 'task:write',
      success: 200,
      fixture: () => fx().schedule.id,
      call: (key, id) => as(key).request('PUT', `/v1/tasks/scheduled/${id}`, { enabled: false }),
      succeeded: (a) => expect(a.body).toMatchObject({ enabled: false, next_run_at: null }),
    },
    'DELETE /v1/tasks/scheduled/{id}': {
      permission: 'task:write',
      success: 204,
      fixture: () => fx().scheduleToDelete.id,
      call: (key, id) => as(key).request('DELETE', `/v1/tasks/scheduled/${id}`),
      succeeded: () => undefined,
    },
    'POST /v1/tasks/scheduled/{id}/run': {
      permission: 'task:write',
      success: 200,
      fixture: () => fx().schedule.id,
      call: (key, id) => as(key).request('POST', `/v1/tasks/scheduled/${id}/run`, {}),
      succeeded: (a) =>
        expect(a.body).toMatchObject({
          mode: 'automatic',
          workflow_id: expect.stringMatching(/^task_/),
        }),
    },
    'POST /v1/connections': {
      permission: 'task:write',
      success: 201,
      call: (key) => as(key).request('POST', '/v1/connections', CONNECTION_BODY),
      succeeded: (a) => {
        expect(a.body).toMatchObject({ provider_type: 's3', tenant_id: ownerScope().tenantId });
        expect(JSON.stringify(a.body)).not.toMatch(/iso-secret-key|AKIAISOLATION|encrypted_secret/);
      },
      foreign: async (intruder, scope) => {
        const a = await as(intruder).request('POST', '/v1/connections', CONNECTION_BODY);
        expect(a.body).toMatchObject({
          tenant_id: scope.tenantId,
          environment_id: scope.environmentId,
        });
      },
    },
    'GET /v1/connections': {
      permission: 'task:read',
      success: 200,
      call: (key) => as(key).request('GET', '/v1/connections?limit=1000'),
      succeeded: (a) => {
        expect(a.body.connections.map((c: any) => c.id)).toContain(fx().connection.id);
        expect(JSON.stringify(a.body)).not.toMatch(/iso-secret-key|encrypted_secret/);
      },
      foreign: async (intruder, scope) => {
        const a = await as(intruder).request('GET', '/v1/connections?limit=1000');
        for (const c of a.body.connections)
          expect(c).toMatchObject({ environment_id: scope.environmentId });
        expect(a.body.connections.map((c: any) => c.id)).not.toContain(fx().connection.id);
      },
    },
    'GET /v1/connections/{id}': {
      permission: 'task:read',
      success: 200,
      fixture: () => fx().connection.id,
      call: (key, id) => as(key).request('GET', `/v1/connections/${id}`),
      succeeded: (a) => expect(a.body).toMatchObject({ id: fx().connection.id, name: 'warehouse' }),
    },
    'POST /v1/secrets/api/keys': {
      permission: 'key:manage',
      success: 201,
      call: (key) => as(key).request('POST', '/v1/secrets/api/keys', KEY_BODY),
      succeeded: (a) => {
        expect(a.body.api_key).toMatch(/^fry_/);
        expect(a.body.secret).toMatchObject({ name: 'isolation', status: 'published' });
      },
      foreign: async (_intruder, scope) => {
        const manager = await managerOf(scope);
        const a = await as(manager).request('POST', '/v1/secrets/api/keys', KEY_BODY);
        expect(a.status).toBe(201);
        expect(await scopeOfKey(world().ferry, a.body.api_key)).toMatchObject(scope);
      },
    },
    'GET /v1/secrets/api/keys': {
      permission: 'key:manage',
      success: 200,
      call: (key) => as(key).request('GET', '/v1/secrets/api/keys?limit=1000'),
      succeeded: (a) => {
        expect(a.body.items.map((k: any) => k.id)).toContain(fx().key.secret.id);
        expect(JSON.stringify(a.body)).not.toContain(fx().key.api_key);
      },
      foreign: async (_intruder, scope) => {
        const a = await as(await managerOf(scope)).request('GET', '/v1/secrets/api/keys');
        expect(a.status).toBe(200);
        expect(a.body.items.map((k: any) => k.id)).not.toContain(fx().key.secret.id);
      },
    },
    'DELETE /v1/secrets/api/keys/{id}': {
      permission: 'key:manage',
      success: 204,
      fixture: () => fx().keyToRevoke.secret.id,
      call: (key, id) => as(key).request('DELETE', `/v1/secrets/api/keys/${id}`),
      succeeded: () => undefined,
      foreign: async (_intruder, scope) => {
        const manager = await managerOf(scope);
        const a = await as(manager).request('DELETE', `/v1/secrets/api/keys/${fx().key.secret.id}`);
        expect(a.status).toBe(404);
        expect((await as(fx().key.api_key).request('GET', '/v1/tasks?limit=1')).status).toBe(200);
      },
    },
    'POST /v1/environments': {
      permission: 'key:manage',
      success: 201,
      call: (key) => as(key).request('POST', '/v1/environments', { name: 'iso', type: 'test' }),
      succeeded: (a) => expect(a.body).toMatchObject({ name: 'iso', type: 'test' }),
      foreign: async (_intruder, scope) => {
        const manager = await managerOf(scope);
        const made = await as(manager).request('POST', '/v1/environments', { name: 'theirs' });
        expect(made.status).toBe(201);
        const mine = await as(world().ferry.apiKey).request(
          'GET',
          `/v1/environments/${made.body.id}`,
        );
        expect(mine.status).toBe(scope.tenantId === ownerScope().tenantId ? 200 : 404);
      },
    },
    'GET /v1/environments': {
      permission: 'key:manage',
      success: 200,
      call: (key) => as(key).request('GET', '/v1/environments?limit=1000'),
      succeeded: (a) =>
        expect(a.body.items.map((e: any) => e.id)).toContain(ownerScope().environmentId),
      foreign: async (_intruder, scope) => {
        const a = await as(await managerOf(scope)).request('GET', '/v1/environments?limit=1000');
        const sameTenant = scope.tenantId === ownerScope().tenantId;
        expect(a.body.items.map((e: any) => e.id).includes(ownerScope().environmentId)).toBe(
          sameTenant,
        );
      },
    },
    'GET /v1/environments/{id}': {
      permission: 'key:manage',
      success: 200,
      fixture: () => fx().environment.id,
      call: (key, id) => as(key).request('GET', `/v1/environments/${id}`),
      succeeded: (a) => expect(a.body).toMatchObject({ id: fx().environment.id }),
      foreign: async (_intruder, scope) => {
        const a = await as(await managerOf(scope)).request(
          'GET',
          `/v1/environments/${fx().environment.id}`,
        );
        // Environments belong to the tenant: another environment of it sees them, another tenant not.
        expect(a.status).toBe(scope.tenantId === ownerScope().tenantId ? 200 : 404);
      },
    },
    'PUT /v1/environments/{id}': {
      permission: 'key:manage',
      success: 200,
      fixture: () => fx().environment.id,
      call: (key, id) => as(key).request('PUT', `/v1/environments/${id}`, { name: 'renamed' }),
      succeeded: (a) => expect(a.body).toMatchObject({ name: 'renamed' }),
      foreign: async (_intruder, scope) => {
        if (scope.tenantId === ownerScope().tenantId) return; // the tenant's own environment
        const a = await as(await managerOf(scope)).request(
          'PUT',
          `/v1/environments/${fx().environment.id}`,
          { name: 'stolen' },
        );
        expect(a.status).toBe(404);
      },
    },
    'DELETE /v1/connections/{id}': {
      permission: 'task:write',
      success: 204,
      fixture: () => fx().connectionToDelete.id,
      call: (key, id) => as(key).request('DELETE', `/v1/connections/${id}`),
      succeeded: () => undefined,
    },
    'GET /v1/tasks/{id}/revert': {
      permission: 'task:read',
      success: 200,
      fixture: () => fx().imported.id,
      call: (key, id) => as(key).request('GET', `/v1/tasks/${id}/revert`),
      succeeded: (a) =>
        expect(a.body).toMatchObject({ task_id: fx().imported.id, would_delete: 1 }),
    },
    'POST /v1/tasks/{id}/revert': {
      permission: 'task:write',
      success: 202,
      fixture: () => fx().toRevert.id,
      call: (key, id) => as(key).request('POST', `/v1/tasks/${id}/revert`),
      succeeded: (a) =>
        expect(a.body).toMatchObject({
          task_type: 'IMPORT',
          metadata: { revert_of: fx().toRevert.id },
        }),
    },
    'POST /v1/webhooks': {
      permission: 'task:write',
      success: 201,
      call: (key) => as(key).request('POST', '/v1/webhooks', WEBHOOK_BODY),
      succeeded: (a) => expect(a.body.secret).toMatch(/^whsec_/),
      foreign: async (intruder) => {
        const a = await as(intruder).request('POST', '/v1/webhooks', WEBHOOK_BODY);
        expect(a.status).toBe(201);
        const theirs = await as(intruder).request('GET', '/v1/webhooks');
        expect(theirs.body.items.map((w: any) => w.id)).not.toContain(fx().webhook.id);
      },
    },
    'GET /v1/webhooks': {
      permission: 'task:read',
      success: 200,
      call: (key) => as(key).request('GET', '/v1/webhooks'),
      succeeded: (a) => expect(a.body.items.map((w: any) => w.id)).toContain(fx().webhook.id),
      foreign: async (intruder) => {
        const a = await as(intruder).request('GET', '/v1/webhooks');
        expect(a.body.items.map((w: any) => w.id)).not.toContain(fx().webhook.id);
        expect(JSON.stringify(a.body)).not.toMatch(/whsec_/);
      },
    },
    'GET /v1/webhooks/secret': {
      permission: 'task:write',
      success: 200,
      call: (key) => as(key).request('GET', '/v1/webhooks/secret'),
      succeeded: (a) => expect(a.body.secret).toMatch(/^whsec_/),
      foreign: async (intruder) => {
        const mine = (await as(world().ferry.apiKey).request('GET', '/v1/webhooks/secret')).body;
        const theirs = (await as(intruder).request('GET', '/v1/webhooks/secret')).body;
        expect(theirs.secret).not.toBe(mine.secret);
      },
    },
    'GET /v1/webhooks/deliveries': {
      permission: 'task:read',
      success: 200,
      call: (key) => as(key).request('GET', '/v1/webhooks/deliveries'),
      succeeded: (a) => expect(Array.isArray(a.body.items)).toBe(true),
      foreign: async (intruder) => {
        const a = await as(intruder).request('GET', '/v1/webhooks/deliveries');
        expect(a.status).toBe(200);
        const owners = [fx().imported.id, fx().toRevert.id, fx().failed.id, fx().exported.id];
        for (const d of a.body.items) expect(owners).not.toContain(d.task_id);
        const theirs = await as(intruder).request(
          'GET',
          `/v1/webhooks/deliveries?task_id=${fx().imported.id}`,
        );
        expect(theirs.body.items).toEqual([]);
      },
    },
    'DELETE /v1/webhooks/{id}': {
      permission: 'task:write',
      success: 204,
      fixture: () => fx().webhookToDelete.id,
      call: (key, id) => as(key).request('DELETE', `/v1/webhooks/${id}`),
      succeeded: () => undefined,
    },
  };
}
