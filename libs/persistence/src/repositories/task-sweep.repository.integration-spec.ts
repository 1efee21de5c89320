import { newId } from '@ferry/contracts';

import { TaskEntity } from '../entities/task.entity';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { type SweepBounds, TaskSweepRepository } from './task-sweep.repository';

describe('TaskSweepRepository', () => {
  let db: TestDatabase;
  let sweeper: TaskSweepRepository;
  const bounds: SweepBounds = {
    pendingMs: 60_000,
    processingMs: 300_000,
    maxRedrives: 2,
    limit: 100,
  };

  /** A task in `status` whose last news is `agoMs` old. */
  const task = async (status: string, agoMs: number, redrives = 0): Promise<string> => {
    const id = newId('task');
    await db.ds.query(
      `INSERT INTO tasks (id, tenant_id, environment_id, task_type, entity_type, file_type, file_url,
                          task_status, updated_at, redrives)
       VALUES ($1, 'ten', 'env', 'IMPORT', 'EVENTS', 'CSV', 'https://x/y.csv', $2,
               now() - make_interval(secs => $3), $4)`,
      [id, status, agoMs / 1000, redrives],
    );
    return id;
  };
  const row = (id: string) => db.ds.getRepository(TaskEntity).findOneByOrFail({ id });

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_sweep');
    sweeper = new TaskSweepRepository(db.ds);
  });
  afterAll(async () => {
    await db?.drop();
  });
  beforeEach(() => db.ds.query('DELETE FROM tasks'));

  it('re-drives PENDING and PROCESSING tasks that went quiet, and leaves busy and final ones alone', async () => {
    const quietPending = await task('PENDING', 120_000);
    const quietProcessing = await task('PROCESSING', 600_000);
    await task('PENDING', 1_000);
    await task('PROCESSING', 120_000); // within the processing bound
    await task('COMPLETED', 9_000_000);
    await task('FAILED', 9_000_000);
    const seen: string[] = [];
    const out = await sweeper.sweep(bounds, async (t) => {
      seen.push(t.id);
      return true;
    });
    expect(seen.sort()).toEqual([quietPending, quietProcessing].sort());
    expect(out.redriven.sort()).toEqual(seen);
    expect(out.failed).toEqual([]);
    expect(await row(quietPending)).toMatchObject({ redrives: 1, task_status: 'PENDING' });
    expect((await row(quietPending)).redriven_at).toBeInstanceOf(Date);

    // Just re-driven: not again until another bound has passed.
    const again = await sweeper.sweep(bounds, async () => true);
    expect(again.redriven).toEqual([]);
  });

  it('backs off: the k-th re-drive waits bound × 2^(k-1) after the previous one', async () => {
    const at = async (redrives: number, redrivenAgoMs: number) => {
      const id = await task('PENDING', 3_600_000, redrives);
      await db.ds.query(
        `UPDATE tasks SET redriven_at = now() - make_interval(secs => $2) WHERE id = $1`,
        [id, redrivenAgoMs / 1000],
      );
      return id;
    };
    const due = [await at(1, 61_000), await at(2, 121_000)];
    await at(2, 90_000); // needs 120 s after its 2nd re-drive
    const out = await sweeper.sweep({ ...bounds, maxRedrives: 5 }, async () => true);
    expect(out.redriven.sort()).toEqual(due.sort());
  });

  it('gives a task up as FAILED with a sentence after maxRedrives re-drives', async () => {
    const id = await task('PROCESSING', 600_000, 2);
    const out = await sweeper.sweep(bounds, async () => {
      throw new Error('must not re-drive');
    });
    expect(out.failed).toEqual([id]);
    const t = await row(id);
    expect(t.task_status).toBe('FAILED');
    expect(t.failed_at).toBeInstanceOf(Date);
    expect(t.error_summary).toMatch(/made no progress although it was re-sent 2 times/);
  });

  it('stops at the first task it cannot publish and marks nothing for it', async () => {
    const id = await task('PENDING', 120_000);
    const out = await sweeper.sweep(bounds, async () => false);
    expect(out).toEqual({ redriven: [], failed: [] });
    expect(await row(id)).toMatchObject({ redrives: 0, redriven_at: null });
  });

  describe('dropEndedDryRunTables', () => {
    const tableOf = (id: string) => `ferry_dry_ids_${id.toLowerCase()}`;
    const makeTable = (id: string) =>
      db.ds.query(`CREATE UNLOGGED TABLE ${tableOf(id)} (id text, "timestamp" timestamptz)`);
    const exists = async (id: string) =>
      (await db.ds.query(`SELECT 1 FROM pg_class WHERE relname = $1`, [tableOf(id)])).length > 0;

    it('drops the tables of ended dry runs (cancelled, failed, completed, gone), not of running ones', async () => {
      const cancelled = await task('FAILED', 1_000);
      const completed = await task('COMPLETED', 1_000);
      const running = await task('PROCESSING', 1_000);
      const pending = await task('PENDING', 1_000);
      const gone = newId('task');
      for (const id of [cancelled, completed, running, pending, gone]) await makeTable(id);

      const dropped = await sweeper.dropEndedDryRunTables();
      expect(dropped.sort()).toEqual([cancelled, completed, gone].sort());
      expect(await exists(cancelled)).toBe(false);
      expect(await exists(completed)).toBe(false);
      expect(await exists(gone)).toBe(false);
      expect(await exists(running)).toBe(true);
      expect(await exists(pending)).toBe(true);
      expect(await sweeper.dropEndedDryRunTables()).toEqual([]);
    });

    it('leaves the table of a task whose row is locked (a retry under way) to the next sweep', async () => {
      await sweeper.dropEndedDryRunTables(); // the tables of earlier tests' tasks, now gone
      const failed = await task('FAILED', 1_000);
      await makeTable(failed);
      const retry = await db.ds.createQueryRunner();
      try {
        await retry.startTransaction();
        await retry.query(`SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE`, [failed]);
        expect(await sweeper.dropEndedDryRunTables()).toEqual([]);
        await retry.query(`UPDATE tasks SET task_status = 'PROCESSING' WHERE id = $1`, [failed]);
        await retry.commitTransaction();
      } finally {
        await retry.release();
      }
      expect(await sweeper.dropEndedDryRunTables()).toEqual([]);
      expect(await exists(failed)).toBe(true);
      await db.ds.query(`UPDATE tasks SET task_status = 'FAILED' WHERE id = $1`, [failed]);
      expect(await sweeper.dropEndedDryRunTables()).toEqual([failed]);
    });
  });
});
