import { FerryApi } from './api';
import type { FerrySystem } from './ferry-system';
import { readSse } from './sse';
import type { KeyScope } from './tenant-key';

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
  permission: 'task:read' | 'task:write';
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
}

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
  };
}
