import { EntityType, FileType, newId, RecordStatus, TaskStatus, TaskType } from '@ferry/contracts';

import { OutboxEntity } from '../entities/outbox.entity';
import { TaskEntity } from '../entities/task.entity';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { TaskRepository } from './task.repository';
import { type NewTask, type TaskListFilters, type TaskScope } from './task.types';

describe('TaskRepository', () => {
  let db: TestDatabase;
  let tasks: TaskRepository;
  const scope: TaskScope = { tenantId: 'tenant_a', environmentId: 'env_a' };

  const newTask = (over: Partial<NewTask> = {}): NewTask => ({
    id: newId('task'),
    tenant_id: scope.tenantId,
    environment_id: scope.environmentId,
    task_type: TaskType.IMPORT,
    entity_type: EntityType.EVENTS,
    file_type: FileType.CSV,
    file_url: 'store://uploads/a.csv',
    created_by: 'user_1',
    ...over,
  });
  const msg = (t: NewTask) => ({
    subject: `task.created.import.${t.entity_type.toLowerCase()}`,
    msgId: t.id,
    payload: { task_id: t.id },
  });
  const create = (t: NewTask, repo = tasks) => repo.createWithOutbox(t, msg(t));

  beforeAll(async () => {
    db = await createTestDatabase();
    tasks = new TaskRepository(db.ds);
  });
  afterAll(async () => {
    await db.drop();
  });

  describe('createWithOutbox', () => {
    it('commits the task and its outbox row together', async () => {
      const res = await create(newTask({ metadata: { a: 1 }, file_name: 'a.csv' }));
      if (!res.created) throw new Error('expected a new task');
      expect(res.task).toMatchObject({
        tenant_id: 'tenant_a',
        task_status: TaskStatus.PENDING,
        status: RecordStatus.PUBLISHED,
        processed_records: 0,
        successful_records: 0,
        failed_records: 0,
        total_records: null,
        last_seq: 0,
        attempt: 0,
        metadata: { a: 1 },
        file_name: 'a.csv',
        created_by: 'user_1',
        updated_by: 'user_1',
      });
      expect(res.task.id).toMatch(/^task_[0-9A-Z]{26}$/);
      expect(res.task.created_at).toBeInstanceOf(Date);
      const outbox = await db.ds.getRepository(OutboxEntity).findOneByOrFail({ id: res.outboxId });
      expect(outbox).toMatchObject({
        msg_id: res.task.id,
        payload: { task_id: res.task.id },
        published_at: null,
      });
    });

    it('writes neither row when the outbox insert fails', async () => {
      const id = newId('task');
      const bad = { subject: null as unknown as string, msgId: 'm', payload: {} };
      await expect(tasks.createWithOutbox(newTask({ id }), bad)).rejects.toThrow();
      expect(await tasks.findScoped(id, scope.tenantId, scope.environmentId)).toBeNull();
    });

    it('returns the existing task for a used idempotency key, flagging another body', async () => {
      const key = `idem-${newId('task')}`;
      const first = await create(newTask({ idempotency_key: key, request_hash: 'h1' }));
      if (!first.created) throw new Error('expected a new task');
      const outboxBefore = await db.ds.getRepository(OutboxEntity).count();

      const same = await create(newTask({ idempotency_key: key, request_hash: 'h1' }));
      expect(same).toMatchObject({
        created: false,
        requestMatches: true,
        existing: { id: first.task.id },
      });
      const other = await create(newTask({ idempotency_key: key, request_hash: 'h2' }));
      expect(other).toMatchObject({
        created: false,
        requestMatches: false,
        existing: { id: first.task.id },
      });
      expect(await db.ds.getRepository(OutboxEntity).count()).toBe(outboxBefore);

      // The key is per tenant+environment.
      const elsewhere = await create(
        newTask({ idempotency_key: key, request_hash: 'h1', environment_id: 'env_b' }),
      );
      expect(elsewhere.created).toBe(true);
    });

    it('creates one task when two requests race with one key', async () => {
      const key = `race-${newId('task')}`;
      for (let round = 0; round < 5; round++) {
        const k = `${key}-${round}`;
        const results = await Promise.all(
          [1, 2, 3].map(() => create(newTask({ idempotency_key: k, request_hash: 'h' }))),
        );
        expect(results.filter((r) => r.created)).toHaveLength(1);
        const ids = new Set(results.map((r) => (r.created ? r.task.id : r.existing.id)));
        expect(ids.size).toBe(1);
        const outbox = await db.ds.getRepository(OutboxEntity).countBy({ msg_id: [...ids][0] });
        expect(outbox).toBe(1);
      }
    });

    it('lets a key be used again after the TTL', async () => {
      const shortTtl = new TaskRepository(db.ds, 1000);
      const key = `ttl-${newId('task')}`;
      const first = await create(newTask({ idempotency_key: key }), shortTtl);
      if (!first.created) throw new Error('expected a new task');
      await db.ds.query(
        `UPDATE tasks SET created_at = now() - interval '2 seconds' WHERE id = $1`,
        [first.task.id],
      );
      const second = await create(newTask({ idempotency_key: key }), shortTtl);
      expect(second.created).toBe(true);
      if (second.created) expect(second.task.id).not.toBe(first.task.id);
    });
  });

  describe('findScoped', () => {
    it('finds a task only in its own tenant and environment', async () => {
      const res = await create(newTask());
      if (!res.created) throw new Error('expected a new task');
      const id = res.task.id;
      expect(await tasks.findScoped(id, 'tenant_a', 'env_a')).toMatchObject({ id });
      expect(await tasks.findScoped(id, 'tenant_b', 'env_a')).toBeNull();
      expect(await tasks.findScoped(id, 'tenant_a', 'env_b')).toBeNull();
      expect(await tasks.findScoped('task_missing', 'tenant_a', 'env_a')).toBeNull();
    });
  });

  describe('findById and countByStatus', () => {
    it('finds a task by id whatever its scope', async () => {
      const res = await create(newTask({ tenant_id: 'tenant_z' }));
      if (!res.created) throw new Error('expected a new task');
      expect(await tasks.findById(res.task.id)).toMatchObject({ tenant_id: 'tenant_z' });
      expect(await tasks.findById('task_missing')).toBeNull();
    });

    it('counts tasks by type, entity type and status over every tenant', async () => {
      const group = (status: TaskStatus) => ({
        task_type: TaskType.EXPORT,
        entity_type: EntityType.PRICES,
        task_status: status,
      });
      const count = async (status: TaskStatus): Promise<number> =>
        (await tasks.countByStatus()).find(
          (g) =>
            g.task_type === TaskType.EXPORT &&
            g.entity_type === EntityType.PRICES &&
            g.task_status === status,
        )?.count ?? 0;
      const [pending, failed] = [await count(TaskStatus.PENDING), await count(TaskStatus.FAILED)];
      const over = { task_type: TaskType.EXPORT, entity_type: EntityType.PRICES };
      await create(newTask({ ...over, tenant_id: 'tenant_c1' }));
      await create(newTask({ ...over, tenant_id: 'tenant_c2' }));
      const gone = await create(newTask(over));
      if (!gone.created) throw new Error('expected a new task');
      await db.ds.query(`UPDATE tasks SET task_status = 'FAILED' WHERE id = $1`, [gone.task.id]);

      const groups = await tasks.countByStatus();
      expect(groups).toContainEqual({ ...group(TaskStatus.PENDING), count: pending + 2 });
      expect(groups).toContainEqual({ ...group(TaskStatus.FAILED), count: failed + 1 });
    });
  });

  describe('list', () => {
    const listScope: TaskScope = { tenantId: 'tenant_list', environmentId: 'env_list' };
    const base: TaskListFilters = { limit: 50, offset: 0, sort: 'created_at', order: 'desc' };
    const created: TaskEntity[] = [];
    const t0 = Date.parse('2030-01-01T00:00:00Z');
    const at = (minutes: number): Date => new Date(t0 + minutes * 60_000);

    beforeAll(async () => {
      const specs: { over: Partial<NewTask>; set: Record<string, unknown> }[] = [
        {
          over: { task_type: TaskType.IMPORT, entity_type: EntityType.EVENTS },
          set: { created_at: at(0), completed_at: at(5) },
        },
        {
          over: {
            task_type: TaskType.EXPORT,
            entity_type: EntityType.CUSTOMERS,
            created_by: 'user_2',
          },
          set: { created_at: at(1), task_status: 'COMPLETED', completed_at: at(3) },
        },
        {
          over: {
            task_type: TaskType.IMPORT,
            entity_type: EntityType.PRICES,
            scheduled_task_id: 'sched_1',
          },
          set: { created_at: at(2), task_status: 'FAILED' },
        },
        {
          over: { task_type: TaskType.EXPORT, entity_type: EntityType.FEATURES },
          set: { created_at: at(3), status: 'archived' },
        },
        // Same created_at as the previous one: the tie is broken by id.
        {
          over: { task_type: TaskType.IMPORT, entity_type: EntityType.EVENTS },
          set: { created_at: at(3), updated_at: at(100) },
        },
      ];
      for (const s of specs) {
        const res = await create(
          newTask({
            tenant_id: listScope.tenantId,
            environment_id: listScope.environmentId,
            ...s.over,
          }),
        );
        if (!res.created) throw new Error('expected a new task');
        await db.ds
          .getRepository(TaskEntity)
          .update({ id: res.task.id }, { updated_at: at(10), ...s.set });
        created.push(await db.ds.getRepository(TaskEntity).findOneByOrFail({ id: res.task.id }));
      }
      // Noise in another tenant that no filter may return.
      await create(newTask({ tenant_id: 'tenant_other', environment_id: listScope.environmentId }));
    });

    const ids = (items: TaskEntity[]) => items.map((t) => t.id);
    const byIndex = (...i: number[]) => i.map((n) => created[n].id);

    it('lists the scope newest first with ties broken by id', async () => {
      const { items, total } = await tasks.list(listScope, base);
      expect(total).toBe(5);
      const [a, b] = [created[3].id, created[4].id].sort().reverse();
      expect(ids(items)).toEqual([a, b, ...byIndex(2, 1, 0)]);
    });

    it('sorts ascending', async () => {
      const { items } = await tasks.list(listScope, { ...base, order: 'asc' });
      const [a, b] = [created[3].id, created[4].id].sort();
      expect(ids(items)).toEqual([...byIndex(0, 1, 2), a, b]);
    });

    it('sorts by updated_at', async () => {
      const { items } = await tasks.list(listScope, { ...base, sort: 'updated_at' });
      expect(items[0].id).toBe(created[4].id);
    });

    it('sorts by completed_at with tasks never completed last, in both directions', async () => {
      const desc = await tasks.list(listScope, { ...base, sort: 'completed_at', order: 'desc' });
      expect(ids(desc.items).slice(0, 2)).toEqual(byIndex(0, 1));
      expect(desc.items.slice(2).every((t) => t.completed_at === null)).toBe(true);
      const asc = await tasks.list(listScope, { ...base, sort: 'completed_at', order: 'asc' });
      expect(ids(asc.items).slice(0, 2)).toEqual(byIndex(1, 0));
      expect(asc.items.slice(2).every((t) => t.completed_at === null)).toBe(true);
    });

    it('pages with limit and offset, total counting every match', async () => {
      const all = await tasks.list(listScope, base);
      const p1 = await tasks.list(listScope, { ...base, limit: 2, offset: 0 });
      const p2 = await tasks.list(listScope, { ...base, limit: 2, offset: 2 });
      const p3 = await tasks.list(listScope, { ...base, limit: 2, offset: 4 });
      expect([p1.total, p2.total, p3.total]).toEqual([5, 5, 5]);
      expect([...ids(p1.items), ...ids(p2.items), ...ids(p3.items)]).toEqual(ids(all.items));
      const beyond = await tasks.list(listScope, { ...base, offset: 10 });
      expect(beyond).toEqual({ items: [], total: 5 });
    });

    it.each<[string, Partial<TaskListFilters>, number[]]>([
      ['task_type', { task_type: TaskType.EXPORT }, [1, 3]],
      ['entity_type', { entity_type: EntityType.EVENTS }, [0, 4]],
      ['task_status', { task_status: TaskStatus.FAILED }, [2]],
      ['status', { status: RecordStatus.ARCHIVED }, [3]],
      ['status published', { status: RecordStatus.PUBLISHED }, [0, 1, 2, 4]],
      ['created_by', { created_by: 'user_2' }, [1]],
      ['scheduled_task_id', { scheduled_task_id: 'sched_1' }, [2]],
      ['start_time', { start_time: at(2) }, [2, 3, 4]],
      ['end_time', { end_time: at(1) }, [0, 1]],
      ['start_time and end_time', { start_time: at(1), end_time: at(2) }, [1, 2]],
      [
        'combined',
        { task_type: TaskType.IMPORT, entity_type: EntityType.EVENTS, start_time: at(1) },
        [4],
      ],
    ])('filters by %s', async (_name, filter, expected) => {
      const { items, total } = await tasks.list(listScope, { ...base, ...filter });
      expect(ids(items).sort()).toEqual(byIndex(...expected).sort());
      expect(total).toBe(expected.length);
    });

    it('returns numbers for bigint counters', async () => {
      await db.ds
        .getRepository(TaskEntity)
        .update(
          { id: created[0].id },
          { processed_records: 12, successful_records: 10, failed_records: 2, total_records: 12 },
        );
      const t = await tasks.findScoped(created[0].id, listScope.tenantId, listScope.environmentId);
      expect(t).toMatchObject({
        processed_records: 12,
        successful_records: 10,
        failed_records: 2,
        total_records: 12,
      });
    });
  });
});
