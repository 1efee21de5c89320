import {
  EntityType,
  ErrorCode,
  FerryError,
  FileType,
  newId,
  Permission,
  Subjects,
  TaskStatus,
  TaskType,
} from '@ferry/contracts';
import { ConnectionRepository, OutboxEntity, TaskEntity, TaskRepository } from '@ferry/persistence';
import { createTestDatabase, type TestDatabase } from '@ferry/persistence/testing';

import type { Principal } from '../auth/principal';
import type { OutboxEntry, OutboxRelay } from '../delivery/outbox.relay';
import { TasksService } from './tasks.service';

class RecordingRelay {
  readonly published: OutboxEntry[] = [];
  publishSoon(message: OutboxEntry): void {
    this.published.push(message);
  }
}

const principal = (): Principal => ({
  keyId: newId('key'),
  tenantId: newId('tenant'),
  environmentId: newId('env'),
  userId: newId('user'),
  permissions: [Permission.TASK_READ, Permission.TASK_WRITE],
});

async function caught(promise: Promise<unknown>): Promise<FerryError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof FerryError)) throw new Error(`expected a FerryError, got ${String(err)}`);
  return err;
}

/** PUT /v1/tasks/{id}/status: the docs/API.md §3 state machine against the real database. */
describe('TasksService.changeStatus', () => {
  let db: TestDatabase;
  let relay: RecordingRelay;
  let service: TasksService;
  const subjects = new Subjects('tstat');
  const { PENDING, PROCESSING, COMPLETED, FAILED } = TaskStatus;

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_gw_status');
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

  const createIn = async (p: Principal, status: TaskStatus) => {
    const task = await service.create(p, {
      task_type: TaskType.IMPORT,
      entity_type: EntityType.EVENTS,
      file_type: FileType.CSV,
      file_url: 'https://example.com/e.csv',
    });
    await db.ds.query('UPDATE tasks SET task_status = $2 WHERE id = $1', [task.id, status]);
    return task.id;
  };
  const row = (id: string) => db.ds.getRepository(TaskEntity).findOneByOrFail({ id });

  it('cancels a PENDING or PROCESSING task: FAILED with who cancelled it, at once', async () => {
    const p = principal();
    for (const from of [PENDING, PROCESSING]) {
      const id = await createIn(p, from);
      const res = await service.changeStatus(p, id, FAILED);
      expect(res.message).toMatch(/cancelled/);
      const t = await row(id);
      expect(t.task_status).toBe(FAILED);
      expect(t.error_summary).toBe(`Cancelled by ${p.userId}`);
      expect(t.failed_at).not.toBeNull();
      expect(t.attempt).toBe(0);
      expect((await service.get(p, id)).task_status).toBe(FAILED);
    }
  });

  it('retries a FAILED task: PROCESSING, attempt + 1, its message in the outbox as <id>:attempt-<n>', async () => {
    const p = principal();
    const id = await createIn(p, PROCESSING);
    await service.changeStatus(p, id, FAILED);
    relay.published.length = 0;

    const res = await service.changeStatus(p, id, PROCESSING);
    expect(res.message).toMatch(/attempt 1/);
    const t = await row(id);
    expect(t).toMatchObject({
      task_status: PROCESSING,
      attempt: 1,
      error_summary: null,
      failed_at: null,
    });
    const outbox = await db.ds.getRepository(OutboxEntity).findBy({ msg_id: `${id}:attempt-1` });
    expect(outbox).toHaveLength(1);
    expect(outbox[0].subject).toBe(subjects.taskCreated(TaskType.IMPORT, EntityType.EVENTS));
    expect(outbox[0].payload).toMatchObject({ task_id: id, attempt: 1, tenant_id: p.tenantId });
    expect(relay.published).toEqual([expect.objectContaining({ msgId: `${id}:attempt-1` })]);

    await service.changeStatus(p, id, FAILED);
    await service.changeStatus(p, id, PROCESSING);
    expect((await row(id)).attempt).toBe(2);
    expect(await db.ds.getRepository(OutboxEntity).countBy({ msg_id: `${id}:attempt-2` })).toBe(1);
  });

  it('refuses every other move with invalid_operation naming from and to, and changes nothing', async () => {
    const p = principal();
    const refused: Array<[TaskStatus, TaskStatus]> = [
      [PENDING, PENDING],
      [PENDING, PROCESSING],
      [PENDING, COMPLETED],
      [PROCESSING, PROCESSING],
      [PROCESSING, PENDING],
      [PROCESSING, COMPLETED],
      [FAILED, FAILED],
      [FAILED, PENDING],
      [FAILED, COMPLETED],
      [COMPLETED, FAILED],
      [COMPLETED, PROCESSING],
      [COMPLETED, PENDING],
      [COMPLETED, COMPLETED],
    ];
    for (const [from, to] of refused) {
      const id = await createIn(p, from);
      for (let i = 0; i < 2; i++) {
        // twice: the same request always gets the same answer
        const err = await caught(service.changeStatus(p, id, to));
        expect(err.code).toBe(ErrorCode.INVALID_OPERATION);
        expect(err.httpStatus).toBe(400);
        expect(err.details).toEqual({ from, to });
      }
      expect((await row(id)).task_status).toBe(from);
    }
    expect(relay.published.filter((m) => m.msgId.includes(':attempt-'))).toHaveLength(0);
  });

  it("answers not_found for a missing task and for another tenant's task alike", async () => {
    const p = principal();
    const id = await createIn(p, PROCESSING);
    for (const [who, taskId] of [
      [p, newId('task')],
      [principal(), id],
    ] as const) {
      const err = await caught(service.changeStatus(who, taskId, FAILED));
      expect(err.code).toBe(ErrorCode.NOT_FOUND);
      expect(err.httpStatus).toBe(404);
    }
    expect((await row(id)).task_status).toBe(PROCESSING);
  });

  it('lets exactly one of two concurrent cancels through', async () => {
    const p = principal();
    const id = await createIn(p, PROCESSING);
    const results = await Promise.allSettled([
      service.changeStatus(p, id, FAILED),
      service.changeStatus(p, id, FAILED),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await row(id)).task_status).toBe(FAILED);
  });
});
