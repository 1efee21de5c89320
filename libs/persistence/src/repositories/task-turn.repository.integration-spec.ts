import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { TaskTurnRepository } from './task-turn.repository';

/** Per-tenant turns (docs/DECISIONS.md 125): advisory-lock turns and the waiting list. */
describe('TaskTurnRepository', () => {
  let db: TestDatabase;
  let turns: TaskTurnRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    turns = new TaskTurnRepository(db.ds);
  });
  afterAll(async () => {
    await db.drop();
  });

  const task = async (id: string, status = 'PENDING') => {
    await db.ds.query(
      `INSERT INTO tasks (id, tenant_id, environment_id, task_type, entity_type, file_type, file_url, task_status)
       VALUES ($1, 't', 'e', 'IMPORT', 'EVENTS', 'CSV', 'https://x', $2)`,
      [id, status],
    );
  };

  it('hands out at most `limit` turns of a key, and one again once a turn ends', async () => {
    const a = await turns.tryTake('k1', 2);
    const b = await turns.tryTake('k1', 2);
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(await turns.tryTake('k1', 2)).toBeNull();
    expect(await turns.tryTake('k2', 2)).not.toBeNull(); // another tenant is not held up
    await a?.release();
    const c = await turns.tryTake('k1', 2);
    expect(c).not.toBeNull();
    await b?.release();
    await c?.release();
  });

  it('frees the turn of a worker whose connection died (kill -9)', async () => {
    const held = await turns.tryTake('k3', 1);
    expect(await turns.tryTake('k3', 1)).toBeNull();
    await db.ds.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name LIKE 'ferry-turn:%' AND datname = current_database()`,
    );
    let again = null;
    for (let i = 0; i < 100 && again === null; i++) {
      again = await turns.tryTake('k3', 1);
      if (again === null) await new Promise((r) => setTimeout(r, 50));
    }
    expect(again).not.toBeNull();
    await again?.release();
    await held?.release();
  });

  it('hands the turn to the oldest waiting task that can still run', async () => {
    await task('task_w1');
    await task('task_w2');
    await task('task_w3');
    await turns.park('task_w1', 'k4', 'subj', { task_id: 'task_w1' });
    await turns.park('task_w2', 'k4', 'subj', { task_id: 'task_w2' });
    await turns.park('task_w3', 'k4', 'subj', { task_id: 'task_w3' });
    await task('task_w0');
    await turns.park('task_w0', 'k4', 'subj', { task_id: 'task_w0', attempt: 0 });
    await db.ds.query(`UPDATE tasks SET attempt = 1 WHERE id = 'task_w0'`); // retried since
    await db.ds.query(`UPDATE tasks SET task_status = 'FAILED' WHERE id = 'task_w1'`); // cancelled
    expect(await turns.next('k4')).toEqual({
      taskId: 'task_w2',
      subject: 'subj',
      message: { task_id: 'task_w2' },
    });
    expect(await turns.unpark('task_w3')).toBe(true);
    expect(await turns.unpark('task_w3')).toBe(false);
    expect(await turns.next('k4')).toBeNull();
  });
});
