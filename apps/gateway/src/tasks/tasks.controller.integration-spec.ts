import { type INestApplication } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';

import type { AddressInfo } from 'net';

import { Subjects } from '@ferry/contracts';
import {
  ApiKeyRepository,
  ConnectionRepository,
  provisionCredentials,
  type ProvisionedCredentials,
  TaskRepository,
  UploadRepository,
} from '@ferry/persistence';
import { createTestDatabase, type TestDatabase } from '@ferry/persistence/testing';

import { ApiKeyGuard } from '../auth/api-key.guard';
import { type OutboxEntry, OutboxRelay } from '../delivery/outbox.relay';
import { ErrorBodyFilter } from '../errors/error-body.filter';
import { createValidationPipe } from '../errors/validation.pipe';
import { GatewayConfig } from '../gateway.config';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';

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

/** The tasks routes over real HTTP, wired as main.ts wires them, on a real database. */
describe('TasksController over HTTP', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let creds: ProvisionedCredentials;
  const published: OutboxEntry[] = [];

  async function call(
    path: string,
    init: RequestInit & { headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const res = await fetch(`${base}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', 'x-api-key': creds.apiKey, ...init.headers },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    call('/v1/tasks', { method: 'POST', body: JSON.stringify(body), headers });

  function expectValidationError(a: Answer, field: string): void {
    expect(a.status).toBe(400);
    expect(a.body['code']).toBe('validation_error');
    expect(a.body['http_status_code']).toBe(400);
    if (field) {
      expect(Object.keys((a.body['details'] as { fields: object }).fields)).toEqual([field]);
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_gw_ctrl');
    creds = await provisionCredentials(db.ds);
    const relay: Pick<OutboxRelay, 'publishSoon'> = { publishSoon: (m) => void published.push(m) };
    const moduleRef = await Test.createTestingModule({
      controllers: [TasksController],
      providers: [
        { provide: ApiKeyRepository, useValue: new ApiKeyRepository(db.ds) },
        { provide: TaskRepository, useValue: new TaskRepository(db.ds) },
        { provide: ConnectionRepository, useValue: new ConnectionRepository(db.ds, null) },
        { provide: UploadRepository, useValue: new UploadRepository(db.ds) },
        { provide: OutboxRelay, useValue: relay },
        { provide: Subjects, useValue: new Subjects('tctrl') },
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

  describe('POST /v1/tasks', () => {
    it('answers 202 with the PENDING task and hands its message to the relay', async () => {
      const a = await post({ ...TASK, metadata: { source: 'crm' } });
      expect(a.status).toBe(202);
      expect(a.body).toMatchObject({
        ...TASK,
        task_status: 'PENDING',
        metadata: { source: 'crm' },
      });
      expect(published.map((m) => m.msgId)).toContain(a.body['id']);
    });

    it('honours the Idempotency-Key header: same body, same task; other body, 409', async () => {
      const first = await post(TASK, { 'idempotency-key': 'ctrl-key-1' });
      const again = await post(TASK, { 'idempotency-key': 'ctrl-key-1' });
      expect(first.status).toBe(202);
      expect(again.status).toBe(202);
      expect(again.body['id']).toBe(first.body['id']);

      const clash = await post({ ...TASK, file_type: 'JSON' }, { 'idempotency-key': 'ctrl-key-1' });
      expect(clash.status).toBe(409);
      expect(clash.body).toMatchObject({ code: 'already_exists', http_status_code: 409 });
    });

    it('refuses an Idempotency-Key longer than 255 characters', async () => {
      const a = await post(TASK, { 'idempotency-key': 'k'.repeat(256) });
      expectValidationError(a, '');
      expect(a.body['message']).toContain('Idempotency-Key');
    });

    it('refuses a body with a bad file_url scheme, naming file_url', async () => {
      expectValidationError(await post({ ...TASK, file_url: 'file:///etc/passwd' }), 'file_url');
    });

    it('answers a body over the size limit with 413 in the error shape', async () => {
      const a = await post({ ...TASK, metadata: { pad: 'x'.repeat(2_000_000) } });
      expect(a.status).toBe(413);
      expect(a.body).toMatchObject({
        code: expect.any(String),
        message: expect.any(String),
        http_status_code: 413,
        details: {},
      });
    });
  });

  describe('GET /v1/tasks', () => {
    it('answers the list with the pagination it applied', async () => {
      const a = await call('/v1/tasks?limit=2');
      expect(a.status).toBe(200);
      expect(a.body['pagination']).toEqual({ total: expect.any(Number), limit: 2, offset: 0 });
      expect((a.body['items'] as unknown[]).length).toBeLessThanOrEqual(2);
    });

    it.each([
      ['a repeated limit', '?limit=10&limit=20', 'limit'],
      ['a repeated task_status', '?task_status=PENDING&task_status=FAILED', 'task_status'],
      ['a lower-case enum', '?entity_type=events', 'entity_type'],
      ['limit 0', '?limit=0', 'limit'],
      ['a leap-second end_time', '?end_time=2026-01-31T23:59:60Z', 'end_time'],
      ['a day that does not exist', '?start_time=2026-02-30T00:00:00Z', 'start_time'],
      [
        'start_time after end_time',
        '?start_time=2026-02-01T00:00:00Z&end_time=2026-01-01T00:00:00Z',
        'start_time',
      ],
    ])('answers %s with 400 naming the field, never 500', async (_name, qs, field) => {
      expectValidationError(await call(`/v1/tasks${qs}`), field);
    });

    it('accepts a start_time with a (URL-encoded) +02:00 offset', async () => {
      const a = await call(
        `/v1/tasks?start_time=${encodeURIComponent('2026-01-31T00:00:00+02:00')}`,
      );
      expect(a.status).toBe(200);
    });
  });

  describe('GET /v1/tasks/:id', () => {
    it('answers an unknown id with 404 not_found', async () => {
      const a = await call('/v1/tasks/task_01JABCDEFGHJKMNPQRSTVWXYZ0');
      expect(a.status).toBe(404);
      expect(a.body).toMatchObject({
        code: 'not_found',
        message: 'Task task_01JABCDEFGHJKMNPQRSTVWXYZ0 was not found',
        http_status_code: 404,
        details: { id: 'task_01JABCDEFGHJKMNPQRSTVWXYZ0' },
      });
    });
  });

  describe('PUT /v1/tasks/:id/status', () => {
    const put = (id: string, body: unknown) =>
      call(`/v1/tasks/${id}/status`, { method: 'PUT', body: JSON.stringify(body) });

    it('cancels with 200 {message}, a GET right after shows FAILED; a second cancel is a 400 {from, to}', async () => {
      const id = (await post(TASK)).body['id'] as string;
      const a = await put(id, { task_status: 'FAILED' });
      expect(a.status).toBe(200);
      expect(a.body).toEqual({ message: expect.stringContaining('cancelled') });
      expect((await call(`/v1/tasks/${id}`)).body['task_status']).toBe('FAILED');

      const again = await put(id, { task_status: 'FAILED' });
      expect(again.status).toBe(400);
      expect(again.body).toMatchObject({
        code: 'invalid_operation',
        message: 'A FAILED task cannot be moved to FAILED',
        http_status_code: 400,
        details: { from: 'FAILED', to: 'FAILED' },
      });

      const retry = await put(id, { task_status: 'PROCESSING' });
      expect(retry.status).toBe(200);
      const after = await call(`/v1/tasks/${id}`);
      expect(after.body).toMatchObject({ task_status: 'PROCESSING', error_summary: null });
      expect(published.map((m) => m.msgId)).toContain(`${id}:attempt-1`);
    });

    it('answers a bad task_status with 400 validation_error, an unknown task with 404', async () => {
      const id = (await post(TASK)).body['id'] as string;
      expectValidationError(await put(id, { task_status: 'CANCELLED' }), 'task_status');
      expectValidationError(await put(id, {}), 'task_status');
      const missing = await put('task_01JABCDEFGHJKMNPQRSTVWXYZ0', { task_status: 'FAILED' });
      expect(missing.status).toBe(404);
      expect(missing.body['code']).toBe('not_found');
    });
  });
});
