import {
  EntityType,
  FileType,
  newId,
  type StatusKind,
  type TaskCounters,
  TaskStatus,
  type TaskStatusEvent,
  TaskType,
} from '@ferry/contracts';
import { TaskEntity, TaskRepository, TaskStateRepository } from '@ferry/persistence';
import { createTestDatabase, type TestDatabase } from '@ferry/persistence/testing';

import { TaskProjectionService } from './task-projection.service';

const T0 = Date.parse('2026-01-31T10:00:00.000Z');
/** Event time `s` seconds after T0. */
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

const counters = (processed: number, successful: number, failed: number, total?: number | null) =>
  ({
    processed_records: processed,
    successful_records: successful,
    failed_records: failed,
    total_records: total,
  }) satisfies TaskCounters;

function event(
  taskId: string,
  kind: StatusKind,
  seq: number,
  over: Partial<TaskStatusEvent> = {},
): TaskStatusEvent {
  return { task_id: taskId, kind, seq, at: at(seq), counters: counters(0, 0, 0), ...over };
}

describe('TaskProjectionService.apply (status events → task row)', () => {
  let db: TestDatabase;
  let projection: TaskProjectionService;
  let tasks: TaskRepository;

  const read = (id: string) => db.ds.getRepository(TaskEntity).findOneByOrFail({ id });

  /** A PENDING task as the gateway creates it, with the user's own metadata. */
  async function newTask(metadata: Record<string, unknown> = { source: 'crm' }): Promise<string> {
    const id = newId('task');
    const res = await tasks.createWithOutbox(
      {
        id,
        tenant_id: 'tenant_status',
        environment_id: 'env_status',
        task_type: TaskType.IMPORT,
        entity_type: EntityType.EVENTS,
        file_type: FileType.CSV,
        file_url: 'store://uploads/events.csv',
        metadata,
        created_by: 'user_1',
      },
      { subject: 'task.created.import.events', msgId: id, payload: { task_id: id } },
    );
    if (!res.created) throw new Error('expected a new task');
    return res.task.id;
  }

  /** Applies events in order and returns what each apply answered. */
  async function applyAll(...events: TaskStatusEvent[]): Promise<boolean[]> {
    const out: boolean[] = [];
    for (const e of events) out.push(await projection.apply(e));
    return out;
  }

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_status');
    projection = new TaskProjectionService(new TaskStateRepository(db.ds));
    tasks = new TaskRepository(db.ds);
  });
  afterAll(async () => {
    await db?.drop();
  });

  describe('started', () => {
    it('moves a PENDING task to PROCESSING with started_at at the event time', async () => {
      const id = await newTask();
      expect(await projection.apply(event(id, 'started', 1, { counters: counters(0, 0, 0) }))).toBe(
        true,
      );

      const t = await read(id);
      expect(t.task_status).toBe(TaskStatus.PROCESSING);
      expect(t.started_at?.toISOString()).toBe(at(1));
      expect(t.completed_at).toBeNull();
      expect(t.failed_at).toBeNull();
      expect(t.last_seq).toBe(1);
    });

    it('keeps the first started_at when a later run of the task starts again', async () => {
      const id = await newTask();
      await applyAll(event(id, 'started', 1), event(id, 'started', 5));
      expect((await read(id)).started_at?.toISOString()).toBe(at(1));
    });
  });

  describe('progress', () => {
    it('applies the counters, total_records and error summary of each newer event', async () => {
      const id = await newTask();
      await applyAll(
        event(id, 'started', 1),
        event(id, 'progress', 2, { counters: counters(500, 498, 2) }),
        event(id, 'progress', 3, {
          counters: counters(1000, 997, 3, 1000),
          error_summary:
            'row 7: event_name is required; row 9: timestamp "x" is not an RFC 3339 time; row 40: …',
        }),
      );

      const t = await read(id);
      expect(t).toMatchObject({
        task_status: TaskStatus.PROCESSING,
        processed_records: 1000,
        successful_records: 997,
        failed_records: 3,
        total_records: 1000,
        error_summary:
          'row 7: event_name is required; row 9: timestamp "x" is not an RFC 3339 time; row 40: …',
        last_seq: 3,
      });
    });

    it('moves a PENDING task straight to PROCESSING when progress arrives before started', async () => {
      const id = await newTask();
      await applyAll(event(id, 'progress', 2, { counters: counters(10, 10, 0) }));
      const t = await read(id);
      expect(t.task_status).toBe(TaskStatus.PROCESSING);
      expect(t.processed_records).toBe(10);
    });

    it('keeps a known total_records when a later event does not carry one', async () => {
      const id = await newTask();
      await applyAll(
        event(id, 'progress', 2, { counters: counters(10, 10, 0, 40) }),
        event(id, 'progress', 3, { counters: counters(20, 20, 0, null) }),
        event(id, 'progress', 4, { counters: counters(30, 30, 0) }),
      );
      const t = await read(id);
      expect(t.total_records).toBe(40);
      expect(t.processed_records).toBe(30);
    });
  });

  describe('ordering: seq', () => {
    it('ignores a repeated event: answers false and changes nothing', async () => {
      const id = await newTask();
      const e = event(id, 'progress', 2, { counters: counters(100, 90, 10) });
      expect(await projection.apply(e)).toBe(true);
      const before = await read(id);

      expect(await projection.apply(e)).toBe(false);
      expect(await read(id)).toEqual(before);
    });

    it('ignores an older event that arrives late: answers false and changes nothing', async () => {
      const id = await newTask();
      await applyAll(
        event(id, 'started', 1),
        event(id, 'progress', 5, { counters: counters(500, 500, 0), metadata: { duplicates: 5 } }),
      );
      const before = await read(id);

      const late = event(id, 'progress', 3, {
        counters: counters(900, 800, 100, 900),
        error_summary: 'row 2: stale',
        metadata: { duplicates: 99, stale: true },
        file_url: 's3://stale/file.csv',
      });
      expect(await projection.apply(late)).toBe(false);
      expect(await read(id)).toEqual(before);
    });

    it('ignores an event for a task that does not exist', async () => {
      expect(await projection.apply(event('task_01JNOSUCHTASK0000000000000', 'started', 1))).toBe(
        false,
      );
    });

    it('never lowers a counter, even when a newer event carries lower numbers', async () => {
      const id = await newTask();
      await applyAll(
        event(id, 'progress', 2, { counters: counters(1000, 900, 100) }),
        event(id, 'progress', 3, { counters: counters(400, 950, 50) }),
      );
      const t = await read(id);
      expect(t.processed_records).toBe(1000);
      expect(t.successful_records).toBe(950);
      expect(t.failed_records).toBe(100);
      expect(t.last_seq).toBe(3);
    });
  });

  describe('completed', () => {
    it('moves the task to COMPLETED with completed_at and the final counters', async () => {
      const id = await newTask();
      const results = await applyAll(
        event(id, 'started', 1),
        event(id, 'progress', 2, { counters: counters(5, 4, 1) }),
        event(id, 'completed', 3, {
          counters: counters(10, 8, 2, 10),
          error_summary: 'row 3: email is not valid; row 8: name is required',
        }),
      );
      expect(results).toEqual([true, true, true]);

      const t = await read(id);
      expect(t).toMatchObject({
        task_status: TaskStatus.COMPLETED,
        total_records: 10,
        processed_records: 10,
        successful_records: 8,
        failed_records: 2,
        error_summary: 'row 3: email is not valid; row 8: name is required',
        failed_at: null,
      });
      expect(t.completed_at?.toISOString()).toBe(at(3));
      expect(t.started_at?.toISOString()).toBe(at(1));
      expect(t.processed_records).toBe(t.successful_records + t.failed_records);
    });

    it("records an export's final file_url", async () => {
      const id = await newTask();
      await applyAll(
        event(id, 'completed', 2, {
          counters: counters(3, 3, 0, 3),
          file_url: 'store://exports/task/customers.csv',
          metadata: { size_bytes: 120, row_count: 3 },
        }),
      );
      const t = await read(id);
      expect(t.file_url).toBe('store://exports/task/customers.csv');
      expect(t.metadata).toEqual({ source: 'crm', size_bytes: 120, row_count: 3 });
    });

    it.each<[string, StatusKind, Partial<TaskStatusEvent>]>([
      ['failed', 'failed', { error_summary: 'Cancelled by the user' }],
      ['progress', 'progress', { counters: counters(99, 99, 0, 99), error_summary: 'row 1: late' }],
      ['started', 'started', {}],
    ])('is final: a later %s event is ignored and changes nothing', async (_name, kind, over) => {
      const id = await newTask();
      await applyAll(
        event(id, 'started', 1),
        event(id, 'completed', 2, {
          counters: counters(10, 10, 0, 10),
          metadata: { duplicates: 0 },
        }),
      );
      const before = await read(id);

      expect(
        await projection.apply(event(id, kind, 3, { metadata: { late: true }, ...over })),
      ).toBe(false);
      const after = await read(id);
      expect(after).toEqual(before);
      expect(after.task_status).toBe(TaskStatus.COMPLETED);
      expect(after.failed_at).toBeNull();
    });
  });

  describe('failed', () => {
    it('moves the task to FAILED with the reason and failed_at', async () => {
      const id = await newTask();
      await applyAll(
        event(id, 'started', 1),
        event(id, 'failed', 2, {
          counters: counters(0, 0, 0),
          error_summary: 'The file could not be downloaded: 404 Not Found',
        }),
      );
      const t = await read(id);
      expect(t.task_status).toBe(TaskStatus.FAILED);
      expect(t.error_summary).toBe('The file could not be downloaded: 404 Not Found');
      expect(t.failed_at?.toISOString()).toBe(at(2));
      expect(t.completed_at).toBeNull();
    });

    it('fails a task that never started (an export refused at once)', async () => {
      const id = await newTask();
      await applyAll(
        event(id, 'failed', 1, { error_summary: 'Exporting EVENTS is not available' }),
      );
      const t = await read(id);
      expect(t.task_status).toBe(TaskStatus.FAILED);
      expect(t.error_summary).toBe('Exporting EVENTS is not available');
      expect(t.failed_at?.toISOString()).toBe(at(1));
    });

    it('is not revived by a late progress event of the run that failed (docs/API.md §3: cancel)', async () => {
      const id = await newTask();
      await applyAll(
        event(id, 'started', 1),
        event(id, 'progress', 2, { counters: counters(100, 100, 0) }),
        event(id, 'failed', 3, {
          counters: counters(100, 100, 0),
          error_summary: 'The task was cancelled',
        }),
      );
      const failed = await read(id);

      // The worker had committed one more batch before it noticed the cancel.
      await projection.apply(
        event(id, 'progress', 4, {
          counters: counters(200, 199, 1),
          error_summary: 'row 150: event_name is required',
        }),
      );
      const t = await read(id);
      expect(t.task_status).toBe(TaskStatus.FAILED);
      expect(t.failed_at?.toISOString()).toBe(failed.failed_at?.toISOString());
      expect(t.completed_at).toBeNull();
      // FAILED's error_summary says why the task failed; a row error must not replace it.
      expect(t.error_summary).toBe('The task was cancelled');
      // Rows already committed stay committed (docs/API.md §3), so the counters still count them.
      expect(t.processed_records).toBe(200);
      expect(t.failed_records).toBe(1);
    });

    it('is not turned into COMPLETED by a late completed event of the run that failed', async () => {
      const id = await newTask();
      await applyAll(
        event(id, 'started', 1),
        event(id, 'failed', 2, { error_summary: 'The task was cancelled' }),
        event(id, 'completed', 3, { counters: counters(10, 10, 0, 10) }),
      );
      const t = await read(id);
      expect(t.task_status).toBe(TaskStatus.FAILED);
      expect(t.completed_at).toBeNull();
      expect(t.error_summary).toBe('The task was cancelled');
    });

    it('keeps the first failure time and reason when a second failed event follows', async () => {
      const id = await newTask();
      await applyAll(
        event(id, 'failed', 2, { error_summary: 'The task was cancelled' }),
        event(id, 'failed', 3, { error_summary: 'Stopped: the task is no longer PROCESSING' }),
      );
      const t = await read(id);
      expect(t.failed_at?.toISOString()).toBe(at(2));
      expect(t.error_summary).toBe('The task was cancelled');
    });

    it('lets a retried task (FAILED → PROCESSING by the API) move on with its newer events', async () => {
      const id = await newTask();
      await applyAll(
        event(id, 'started', 1),
        event(id, 'progress', 2, { counters: counters(100, 100, 0) }),
        event(id, 'failed', 3, { counters: counters(100, 100, 0), error_summary: 'cancelled' }),
      );
      // What PUT /v1/tasks/{id}/status {PROCESSING} does to the row.
      await db.ds.query(
        `UPDATE tasks SET task_status = 'PROCESSING', failed_at = NULL, error_summary = NULL WHERE id = $1`,
        [id],
      );
      await applyAll(
        event(id, 'started', 4),
        event(id, 'completed', 5, { counters: counters(300, 300, 0, 300) }),
      );
      const t = await read(id);
      expect(t.task_status).toBe(TaskStatus.COMPLETED);
      expect(t.processed_records).toBe(300);
      expect(t.completed_at?.toISOString()).toBe(at(5));
      expect(t.started_at?.toISOString()).toBe(at(1));
    });
  });

  describe('metadata', () => {
    it("merges each event's keys into the task's metadata, newer values winning", async () => {
      const id = await newTask({ source: 'crm', note: 'nightly' });
      await applyAll(
        event(id, 'started', 1, { metadata: { ignored_columns: ['colour', 'size'] } }),
        event(id, 'progress', 2, { metadata: { duplicates: 3 } }),
        event(id, 'progress', 3, { metadata: { duplicates: 7 } }),
        event(id, 'progress', 4, {}),
      );
      expect((await read(id)).metadata).toEqual({
        source: 'crm',
        note: 'nightly',
        ignored_columns: ['colour', 'size'],
        duplicates: 7,
      });
    });
  });
});
