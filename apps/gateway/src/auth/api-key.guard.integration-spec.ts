import { Controller, Get, INestApplication } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';

import type { AddressInfo } from 'net';

import { Permission, Subjects } from '@ferry/contracts';
import {
  ApiKeyRepository,
  ConnectionRepository,
  generateApiKey,
  provisionCredentials,
  ProvisionedCredentials,
  TaskRepository,
  UploadRepository,
} from '@ferry/persistence';
import { createTestDatabase, TestDatabase } from '@ferry/persistence/testing';
import { HealthController, HealthRegistryModule } from '@ferry/telemetry';

import { OutboxRelay } from '../delivery/outbox.relay';
import { ErrorBodyFilter } from '../errors/error-body.filter';
import { createValidationPipe } from '../errors/validation.pipe';
import { GatewayConfig } from '../gateway.config';
import { TasksController } from '../tasks/tasks.controller';
import { TasksService } from '../tasks/tasks.service';
import { ApiKeyGuard } from './api-key.guard';
import { CurrentPrincipal, Principal, Public, RequirePermission } from './principal';

/** Shows whom the guard resolved; and a route that forgot to declare its permission. */
@Controller('whoami')
class WhoAmIController {
  @Get()
  @RequirePermission(Permission.TASK_READ)
  whoami(@CurrentPrincipal() p: Principal) {
    return p;
  }

  @Get('undeclared')
  undeclared() {
    return { reached: true };
  }

  @Get('open')
  @Public()
  open() {
    return { open: true };
  }
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const TASK = {
  task_type: 'IMPORT',
  entity_type: 'EVENTS',
  file_type: 'CSV',
  file_url: 'store://uploads/events.csv',
};

describe('ApiKeyGuard (x-api-key against keys stored in PostgreSQL)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let full: ProvisionedCredentials;
  let other: ProvisionedCredentials;
  let readOnly: ProvisionedCredentials;
  let writeOnly: ProvisionedCredentials;
  let revoked: ProvisionedCredentials;

  async function call(path: string, key?: string, init: RequestInit = {}): Promise<Answer> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (key !== undefined) headers['x-api-key'] = key;
    const res = await fetch(`${base}${path}`, { ...init, headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const createTask = (key?: string) =>
    call('/v1/tasks', key, { method: 'POST', body: JSON.stringify(TASK) });

  function expectDenied(a: Answer, status: 401 | 403): void {
    expect(a.status).toBe(status);
    expect(a.body).toMatchObject({
      code: 'permission_denied',
      message: expect.any(String),
      http_status_code: status,
      details: expect.any(Object),
    });
  }

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_gw_auth');
    full = await provisionCredentials(db.ds, { tenantName: 'acme' });
    other = await provisionCredentials(db.ds, { tenantName: 'globex' });
    readOnly = await provisionCredentials(db.ds, { permissions: [Permission.TASK_READ] });
    writeOnly = await provisionCredentials(db.ds, { permissions: [Permission.TASK_WRITE] });
    revoked = await provisionCredentials(db.ds);
    await new ApiKeyRepository(db.ds).revoke(revoked.keyId);

    const relay: Pick<OutboxRelay, 'publishSoon'> = { publishSoon: () => undefined };
    const moduleRef = await Test.createTestingModule({
      imports: [HealthRegistryModule],
      controllers: [TasksController, HealthController, WhoAmIController],
      providers: [
        { provide: ApiKeyRepository, useValue: new ApiKeyRepository(db.ds) },
        { provide: TaskRepository, useValue: new TaskRepository(db.ds) },
        { provide: ConnectionRepository, useValue: new ConnectionRepository(db.ds, null) },
        { provide: UploadRepository, useValue: new UploadRepository(db.ds) },
        { provide: OutboxRelay, useValue: relay },
        { provide: Subjects, useValue: new Subjects('tauth') },
        { provide: GatewayConfig, useValue: new GatewayConfig() },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ErrorBodyFilter },
        TasksService,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalPipes(createValidationPipe());
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  describe('401: no valid key', () => {
    it.each([
      ['GET /v1/tasks', () => call('/v1/tasks')],
      ['POST /v1/tasks', () => createTask()],
      ['GET /v1/tasks/:id', () => call('/v1/tasks/task_01JABCDEFGHJKMNPQRSTVWXYZ0')],
      ['GET /whoami', () => call('/whoami')],
    ])('answers %s without a key with 401', async (_route, send) => {
      expectDenied(await send(), 401);
    });

    it('answers an empty key with 401', async () => {
      expectDenied(await call('/v1/tasks', ''), 401);
    });

    it('answers an unknown key with 401', async () => {
      expectDenied(await call('/v1/tasks', generateApiKey()), 401);
    });

    it('answers a key that differs from a real one only in case with 401', async () => {
      expectDenied(await call('/v1/tasks', full.apiKey.toUpperCase()), 401);
    });

    it('answers an expired key with 401, and notes when a key was last used', async () => {
      const expiring = await provisionCredentials(db.ds);
      await db.ds.query(
        `UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [expiring.keyId],
      );
      expectDenied(await call('/v1/tasks', expiring.apiKey), 401);
      expect((await call('/whoami', full.apiKey)).status).toBe(200);
      for (let i = 0; i < 50; i++) {
        const [row] = await db.ds.query('SELECT last_used_at FROM api_keys WHERE id = $1', [
          full.keyId,
        ]);
        if (row.last_used_at) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('last_used_at was never set');
    });

    it('answers a revoked key with 401 on every route', async () => {
      expectDenied(await call('/v1/tasks', revoked.apiKey), 401);
      expectDenied(await createTask(revoked.apiKey), 401);
    });

    it('checks the key before validating the body', async () => {
      const a = await call('/v1/tasks', undefined, { method: 'POST', body: '{}' });
      expectDenied(a, 401);
    });
  });

  describe('403: a valid key without the permission', () => {
    it('refuses to create a task with a read-only key, naming the permission', async () => {
      const a = await createTask(readOnly.apiKey);
      expectDenied(a, 403);
      expect(a.body['details']).toEqual({ permission: 'task:write' });
      expect((await call('/v1/tasks', readOnly.apiKey)).status).toBe(200);
    });

    it('refuses to list or read tasks with a write-only key', async () => {
      const created = await createTask(writeOnly.apiKey);
      expect(created.status).toBe(202);
      const list = await call('/v1/tasks', writeOnly.apiKey);
      expectDenied(list, 403);
      expect(list.body['details']).toEqual({ permission: 'task:read' });
      expectDenied(await call(`/v1/tasks/${String(created.body['id'])}`, writeOnly.apiKey), 403);
    });

    it('refuses a key with no permission everywhere', async () => {
      const bare = await provisionCredentials(db.ds, { permissions: [] });
      expectDenied(await call('/whoami', bare.apiKey), 403);
      expectDenied(await call('/v1/tasks', bare.apiKey), 403);
    });

    it('fails closed on a route that declares no permission: 500 even for a full key', async () => {
      const a = await call('/whoami/undeclared', full.apiKey);
      expect(a.status).toBe(500);
      expect(a.body).toMatchObject({ code: 'internal_error' });
      expect(a.body).not.toHaveProperty('reached');
      expectDenied(await call('/whoami/undeclared'), 401);
    });
  });

  describe('public routes', () => {
    it('serves /health/live without a key', async () => {
      const a = await call('/health/live');
      expect(a).toMatchObject({ status: 200, body: { status: 'ok' } });
    });

    it('serves a route marked @Public() without a key', async () => {
      expect(await call('/whoami/open')).toEqual({ status: 200, body: { open: true } });
    });

    it('serves a public route even with an unknown key', async () => {
      expect((await call('/health/live', 'not-a-key')).status).toBe(200);
    });
  });

  describe('the principal', () => {
    it("is the key's tenant, environment, user and permissions", async () => {
      const a = await call('/whoami', full.apiKey);
      expect(a.status).toBe(200);
      expect(a.body).toEqual({
        keyId: full.keyId,
        tenantId: full.tenantId,
        environmentId: full.environmentId,
        userId: full.userId,
        permissions: ['task:read', 'task:write', 'key:manage'],
      });
    });

    it("scopes tasks to the key's tenant and environment, and records its user", async () => {
      const created = await createTask(full.apiKey);
      expect(created.status).toBe(202);
      expect(created.body).toMatchObject({
        task_status: 'PENDING',
        tenant_id: full.tenantId,
        environment_id: full.environmentId,
        created_by: full.userId,
      });
      const id = String(created.body['id']);

      const mine = await call(`/v1/tasks/${id}`, full.apiKey);
      expect(mine.status).toBe(200);
      expect(mine.body['id']).toBe(id);

      // Another tenant's task is a 404, the same answer as a task that does not exist.
      const theirs = await call(`/v1/tasks/${id}`, other.apiKey);
      const missing = await call('/v1/tasks/task_01JABCDEFGHJKMNPQRSTVWXYZ0', other.apiKey);
      expect(theirs.status).toBe(404);
      expect(theirs.body['code']).toBe('not_found');
      expect(missing.status).toBe(404);
      expect(missing.body['code']).toBe('not_found');

      const otherList = await call('/v1/tasks', other.apiKey);
      expect(otherList.status).toBe(200);
      expect(otherList.body['items']).toEqual([]);
      const myList = await call('/v1/tasks', full.apiKey);
      const ids = (myList.body['items'] as Array<{ id: string }>).map((t) => t.id);
      expect(ids).toContain(id);
    });

    it('applies a revocation at once: the next request with the key is refused', async () => {
      const soon = await provisionCredentials(db.ds);
      expect((await call('/v1/tasks', soon.apiKey)).status).toBe(200);
      await new ApiKeyRepository(db.ds).revoke(soon.keyId);
      expectDenied(await call('/v1/tasks', soon.apiKey), 401);
    });
  });
});
