import {
  newId,
  TaskCancelledError,
  type TaskProjection,
  TaskStatus,
  type TaskStatusEvent,
} from '@ferry/contracts';
import {
  caseEvent,
  expectedTask,
  givenTask,
  PENDING_TASK,
  PROJECTION_CASES,
} from '@ferry/contracts/testing';

import { TaskEntity } from '../entities/task.entity';
import { withClient } from '../pg-client.helper';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { TaskStateRepository } from './task-state.repository';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

describe('TaskStateRepository (PostgreSQL)', () => {
  let db: TestDatabase;
  let repo: TaskStateRepository;

  /** A task row in the given projected state (and attempt). */
  async function insertTask(t: TaskProjection, attempt = 0): Promise<string> {
    const id = newId('task');
    await db.ds.query(
      `INSERT INTO tasks (id, tenant_id, environment_id, task_type, entity_type, file_type,
                          file_url, task_status, attempt, last_seq, processed_records,
                          successful_records, failed_records, total_records, error_summary,
                          metadata, started_at, completed_at, failed_at)
       VALUES ($1, 'tenant_1', 'env_1', 'IMPORT', 'EVENTS', 'CSV', $2, $3, $4, $5, $6, $7, $8,
               $9, $10, $11::jsonb, $12, $13, $14)`,
      [
        id,
        t.file_url,
        t.task_status,
        attempt,
        t.last_seq,
        t.processed_records,
        t.successful_records,
        t.failed_records,
        t.total_records,
        t.error_summary,
        JSON.stringify(t.metadata),
        t.started_at,
        t.completed_at,
        t.failed_at,
      ],
    );
    return id;
  }

  async function projected(id: string): Promise<TaskProjection> {
    const t = await db.ds.getRepository(TaskEntity).findOneByOrFail({ id });
    return {
      task_status: t.task_status,
      last_seq: t.last_seq,
      processed_records: t.processed_records,
      successful_records: t.successful_records,
      failed_records: t.failed_records,
      total_records: t.total_records,
      error_summary: t.error_summary,
      metadata: t.metadata,
      file_url: t.file_url,
      started_at: iso(t.started_at),
      completed_at: iso(t.completed_at),
      failed_at: iso(t.failed_at),
    };
  }

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_task_state');
    repo = new TaskStateRepository(db.ds);
  });
  afterAll(async () => {
    await db?.drop();
  });

  describe('applyStatusEvent: the projection rules in SQL (the shared case table)', () => {
    it.each(PROJECTION_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const id = await insertTask(givenTask(c));
      expect(await repo.applyStatusEvent(caseEvent(c, id))).toBe(c.applied);
      expect(await projected(id)).toEqual(expectedTask(c));
    });

    it('ignores an event for a task that does not exist', async () => {
      const e: TaskStatusEvent = {
        task_id: 'task_01JNOSUCHTASK0000000000000',
        kind: 'started',
        seq: 1,
        at: new Date().toISOString(),
        counters: { processed_records: 0, successful_records: 0, failed_records: 0 },
      };
      expect(await repo.applyStatusEvent(e)).toBe(false);
    });
  });

  describe('readState and assertStillRunning (what a delivery checks)', () => {
    const running: TaskProjection = { ...PENDING_TASK, task_status: TaskStatus.PROCESSING };

    it('reads status and attempt, or null for a task that is gone', async () => {
      const id = await insertTask(running, 2);
      expect(await repo.readState(id)).toEqual({ task_status: TaskStatus.PROCESSING, attempt: 2 });
      expect(await repo.readState('task_missing')).toBeNull();
    });

    it('lets the current attempt of an open task go on, and stops any other', async () => {
      const open = await insertTask(running, 1);
      const failed = await insertTask({ ...running, task_status: TaskStatus.FAILED });
      const check = (id: string, attempt: number) =>
        withClient(db.ds, (c) => repo.assertStillRunning(c, id, attempt));

      await expect(check(open, 1)).resolves.toBeUndefined();
      await expect(check(open, 0)).rejects.toThrow(`task ${open} was retried as attempt 1`);
      await expect(check(failed, 0)).rejects.toBeInstanceOf(TaskCancelledError);
      await expect(check(failed, 0)).rejects.toThrow(/is FAILED: this delivery stops/);
      await expect(check('task_missing', 0)).rejects.toThrow(/was deleted/);
    });

    it("holds a cancel back while a batch transaction is open, but not the projection's UPDATE", async () => {
      const id = await insertTask(running);
      await withClient(db.ds, async (batch) => {
        await batch.query('BEGIN');
        try {
          await repo.assertStillRunning(batch, id, 0);
          const progress: TaskStatusEvent = {
            task_id: id,
            kind: 'progress',
            seq: 1,
            at: new Date().toISOString(),
            counters: { processed_records: 5, successful_records: 5, failed_records: 0 },
          };
          const timeout = new Promise<'blocked'>((r) => setTimeout(() => r('blocked'), 3000));
          expect(await Promise.race([repo.applyStatusEvent(progress), timeout])).toBe(true);

          // A cancel locks the row FOR UPDATE (TaskRepository.changeStatus): it must wait.
          await withClient(db.ds, async (cancel) => {
            await cancel.query('BEGIN');
            try {
              await cancel.query(`SET LOCAL lock_timeout = '200ms'`);
              await expect(
                cancel.query('SELECT id FROM tasks WHERE id = $1 FOR UPDATE', [id]),
              ).rejects.toMatchObject({ code: '55P03' });
            } finally {
              await cancel.query('ROLLBACK');
            }
          });
        } finally {
          await batch.query('ROLLBACK');
        }
      });
    });
  });
});
