import {
  EntityType,
  ErrorCode,
  FerryError,
  FileType,
  newId,
  Permission,
  RecordStatus,
  Subjects,
  TaskStatus,
  TaskType,
} from '@ferry/contracts';
import { ConnectionRepository, OutboxEntity, TaskEntity, TaskRepository } from '@ferry/persistence';
import { createTestDatabase, type TestDatabase } from '@ferry/persistence/testing';

import type { Principal } from '../auth/principal';
import type { OutboxEntry, OutboxRelay } from '../delivery/outbox.relay';
import type { CreateTaskDto } from './create-task.dto';
import { ListTasksQuery } from './list-tasks.query';
import { TasksService } from './tasks.service';

/** Stands in for the relay (which talks to NATS): it only records what it was asked to publish. */
class RecordingRelay {
  readonly published: OutboxEntry[] = [];

  publishSoon(message: OutboxEntry): void {
    this.published.push(message);
  }
}

function principal(): Principal {
  return {
    keyId: newId('key'),
    tenantId: newId('tenant'),
    environmentId: newId('env'),
    userId: newId('user'),
    permissions: [Permission.TASK_READ, Permission.TASK_WRITE],
  };
}

const body = (over: Partial<CreateTaskDto> = {}): CreateTaskDto => ({
  task_type: TaskType.IMPORT,
  entity_type: EntityType.EVENTS,
  file_type: FileType.CSV,
  file_url: 'store://uploads/events.csv',
  ...over,
});

function query(over: Partial<ListTasksQuery> = {}): ListTasksQuery {
  return Object.assign(new ListTasksQuery(), over);
}

async function caught(promise: Promise<unknown>): Promise<FerryError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof FerryError)) throw new Error(`expected a FerryError, got ${String(err)}`);
  return err;
}

describe('TasksService', () => {
  let db: TestDatabase;
  let relay: RecordingRelay;
  let service: TasksService;
  const subjects = new Subjects('tsvc');

  const tasksOf = (p: Principal) =>
    db.ds
      .getRepository(TaskEntity)
      .findBy({ tenant_id: p.tenantId, environment_id: p.environmentId });
  const outboxFor = (taskId: string) =>
    db.ds.getRepository(OutboxEntity).findBy({ msg_id: taskId });

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_gw_tasks');
  });
  afterAll(async () => {
    await db?.drop();
  });
  beforeEach(() => {
    relay = new RecordingRelay();
    service = new TasksService(
      new TaskRepository(db.ds),
      relay as unknown as OutboxRelay,
      subjects,
      new ConnectionRepository(db.ds, null),
    );
  });

  describe('create', () => {
    it('answers a PENDING task of the caller, with its created message committed beside it', async () => {
      const p = principal();
      const res = await service.create(
        p,
        body({ file_name: 'events.csv', metadata: { source: 'crm' } }),
      );

      expect(res.id).toMatch(/^task_[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(res).toMatchObject({
        task_type: 'IMPORT',
        entity_type: 'EVENTS',
        file_type: 'CSV',
        file_url: 'store://uploads/events.csv',
        file_name: 'events.csv',
        task_status: TaskStatus.PENDING,
        total_records: null,
        processed_records: 0,
        successful_records: 0,
        failed_records: 0,
        error_summary: null,
        metadata: { source: 'crm' },
        started_at: null,
        completed_at: null,
        failed_at: null,
        tenant_id: p.tenantId,
        environment_id: p.environmentId,
        status: RecordStatus.PUBLISHED,
        created_by: p.userId,
        updated_by: p.userId,
      });
      expect(new Date(res.created_at).toISOString()).toBe(res.created_at);

      const [row] = await tasksOf(p);
      expect(row.id).toBe(res.id);

      const outbox = await outboxFor(res.id);
      expect(outbox).toHaveLength(1);
      expect(outbox[0]).toMatchObject({
        subject: 'tsvc.task.created.import.events',
        msg_id: res.id,
        published_at: null,
        payload: {
          task_id: res.id,
          tenant_id: p.tenantId,
          environment_id: p.environmentId,
          task_type: 'IMPORT',
          entity_type: 'EVENTS',
          file_type: 'CSV',
          file_url: 'store://uploads/events.csv',
          metadata: { source: 'crm' },
          attempt: 0,
          created_by: p.userId,
        },
      });

      // Published right after the commit, and as the very row that was committed.
      expect(relay.published).toEqual([
        {
          id: outbox[0].id,
          subject: 'tsvc.task.created.import.events',
          msgId: res.id,
          payload: outbox[0].payload,
          // The trace context of the creating request (none is active in this spec).
          headers: outbox[0].headers ?? {},
        },
      ]);
    });

    it.each([
      [TaskType.EXPORT, EntityType.CUSTOMERS, 'tsvc.task.created.export.customers'],
      [TaskType.IMPORT, EntityType.PRICES, 'tsvc.task.created.import.prices'],
      [TaskType.EXPORT, EntityType.FEATURES, 'tsvc.task.created.export.features'],
    ])('routes a %s of %s to %s', async (taskType, entityType, subject) => {
      const res = await service.create(
        principal(),
        body({ task_type: taskType, entity_type: entityType, file_type: FileType.JSON }),
      );
      const [outbox] = await outboxFor(res.id);
      expect(outbox.subject).toBe(subject);
      expect(relay.published[0].subject).toBe(subject);
    });

    it('gives a task without metadata an empty object, and without file_name a null', async () => {
      const res = await service.create(principal(), body());
      expect(res.metadata).toEqual({});
      expect(res.file_name).toBeNull();
      const [outbox] = await outboxFor(res.id);
      expect(outbox.payload['metadata']).toEqual({});
    });

    it('gives every task its own id', async () => {
      const p = principal();
      const a = await service.create(p, body());
      const b = await service.create(p, body());
      expect(a.id).not.toBe(b.id);
      expect(await tasksOf(p)).toHaveLength(2);
    });
  });

  describe('create with an Idempotency-Key', () => {
    it('returns the same task for the same key and body, and creates and publishes it once', async () => {
      const p = principal();
      const first = await service.create(p, body({ metadata: { a: 1, b: 2 } }), 'order-42');
      const again = await service.create(p, body({ metadata: { a: 1, b: 2 } }), 'order-42');

      expect(again).toEqual(first);
      expect(await tasksOf(p)).toHaveLength(1);
      expect(await outboxFor(first.id)).toHaveLength(1);
      expect(relay.published).toHaveLength(1);
    });

    it('treats the same body with its keys in another order as the same request', async () => {
      const p = principal();
      const first = await service.create(
        p,
        {
          file_url: 's3://b/k.csv',
          file_type: FileType.CSV,
          entity_type: EntityType.EVENTS,
          task_type: TaskType.IMPORT,
          metadata: { y: { d: 1, c: 2 }, x: [1, 2] },
        },
        'reordered',
      );
      const again = await service.create(
        p,
        {
          task_type: TaskType.IMPORT,
          entity_type: EntityType.EVENTS,
          file_type: FileType.CSV,
          file_url: 's3://b/k.csv',
          metadata: { x: [1, 2], y: { c: 2, d: 1 } },
        },
        'reordered',
      );
      expect(again.id).toBe(first.id);
    });

    it.each<[string, Partial<CreateTaskDto>]>([
      ['another file_url', { file_url: 'store://uploads/other.csv' }],
      ['another entity_type', { entity_type: EntityType.CUSTOMERS }],
      ['another metadata value', { metadata: { a: 2 } }],
      ['a file_name added', { file_name: 'events.csv' }],
    ])('answers 409 already_exists for the same key with %s', async (_name, change) => {
      const p = principal();
      const first = await service.create(p, body({ metadata: { a: 1 } }), 'reused-key');
      const err = await caught(
        service.create(p, body({ metadata: { a: 1 }, ...change }), 'reused-key'),
      );

      expect(err.code).toBe(ErrorCode.ALREADY_EXISTS);
      expect(err.httpStatus).toBe(409);
      expect(err.details).toEqual({ idempotency_key: 'reused-key', task_id: first.id });
      expect(await tasksOf(p)).toHaveLength(1);
      expect(relay.published).toHaveLength(1);
    });

    it('scopes keys by tenant: another tenant using the same key gets its own task', async () => {
      const a = principal();
      const b = principal();
      const ta = await service.create(a, body(), 'shared-key');
      const tb = await service.create(b, body({ file_url: 'store://uploads/b.csv' }), 'shared-key');
      expect(tb.id).not.toBe(ta.id);
      expect(tb.tenant_id).toBe(b.tenantId);
      expect(relay.published).toHaveLength(2);
    });

    it('creates a new task for another key with the same body', async () => {
      const p = principal();
      const a = await service.create(p, body(), 'key-a');
      const b = await service.create(p, body(), 'key-b');
      expect(b.id).not.toBe(a.id);
    });
  });

  describe('get', () => {
    it("finds the caller's task and hides another tenant's as not_found", async () => {
      const owner = principal();
      const created = await service.create(owner, body());
      await expect(service.get(owner, created.id)).resolves.toEqual(created);

      const stranger = principal();
      const err = await caught(service.get(stranger, created.id));
      expect(err.code).toBe(ErrorCode.NOT_FOUND);
      expect(err.httpStatus).toBe(404);

      const otherEnvironment = { ...owner, environmentId: newId('env') };
      expect((await caught(service.get(otherEnvironment, created.id))).code).toBe(
        ErrorCode.NOT_FOUND,
      );

      // Indistinguishable from a task that does not exist.
      const missingId = newId('task');
      const missing = await caught(service.get(owner, missingId));
      expect([missing.code, missing.httpStatus]).toEqual([err.code, err.httpStatus]);
      expect(err.message).toBe(`Task ${created.id} was not found`);
      expect(missing.message).toBe(`Task ${missingId} was not found`);
    });
  });

  describe('list', () => {
    it('refuses start_time after end_time as a validation_error on start_time', async () => {
      const err = await caught(
        service.list(
          principal(),
          query({ start_time: '2026-02-01T00:00:00Z', end_time: '2026-01-31T23:59:59Z' }),
        ),
      );
      expect(err.code).toBe(ErrorCode.VALIDATION);
      expect(err.httpStatus).toBe(400);
      expect(err.details).toEqual({ fields: { start_time: [expect.any(String)] } });
    });

    it('compares the two times as instants, whatever their offsets', async () => {
      // As text the start looks later; as instants 01:00+02:00 is 23:00Z of the day before.
      await expect(
        service.list(
          principal(),
          query({ start_time: '2026-01-31T01:00:00+02:00', end_time: '2026-01-31T00:00:00Z' }),
        ),
      ).resolves.toMatchObject({ items: [] });

      const err = await caught(
        service.list(
          principal(),
          query({ start_time: '2026-01-31T00:00:00Z', end_time: '2026-01-31T01:00:00+02:00' }),
        ),
      );
      expect(err.code).toBe(ErrorCode.VALIDATION);
    });

    it('accepts equal start_time and end_time', async () => {
      const t = '2026-01-31T00:00:00Z';
      await expect(
        service.list(principal(), query({ start_time: t, end_time: t })),
      ).resolves.toEqual({
        items: [],
        pagination: { total: 0, limit: 50, offset: 0 },
      });
    });

    it("lists only the caller's tasks, newest first, with the pagination it used", async () => {
      const p = principal();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await service.create(p, body())).id);
      await service.create(principal(), body());

      const page = await service.list(p, query());
      expect(page.pagination).toEqual({ total: 3, limit: 50, offset: 0 });
      expect(page.items.map((t) => t.id)).toEqual([...ids].reverse());
      expect(page.items.every((t) => t.tenant_id === p.tenantId)).toBe(true);

      const second = await service.list(p, query({ limit: 1, offset: 1 }));
      expect(second.pagination).toEqual({ total: 3, limit: 1, offset: 1 });
      expect(second.items.map((t) => t.id)).toEqual([ids[1]]);
    });

    it('filters by created_at between start_time and end_time', async () => {
      const p = principal();
      const created = await service.create(p, body());
      const at = Date.parse(created.created_at);
      const iso = (ms: number) => new Date(ms).toISOString();

      const inside = await service.list(
        p,
        query({ start_time: iso(at - 60_000), end_time: iso(at + 60_000) }),
      );
      expect(inside.items.map((t) => t.id)).toEqual([created.id]);

      const before = await service.list(p, query({ end_time: iso(at - 60_000) }));
      expect(before.items).toEqual([]);
      expect(before.pagination.total).toBe(0);
    });
  });
});
