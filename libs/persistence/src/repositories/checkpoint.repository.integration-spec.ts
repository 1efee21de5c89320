import type { PoolClient } from 'pg';

import { newId, type RowError, RowErrorCode } from '@ferry/contracts';

import { withClient } from '../pg-client.helper';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { withTransaction } from '../testing/transaction';
import {
  type Checkpoint,
  type CheckpointAdvance,
  CheckpointFencedError,
  CheckpointRepository,
} from './checkpoint.repository';
import { TaskRowErrorRepository } from './task-row-error.repository';

const advance = (records: number, more: Partial<CheckpointAdvance> = {}): CheckpointAdvance => ({
  records,
  successful: records,
  failed: 0,
  duplicates: 0,
  errorSamples: [],
  totalRecords: null,
  ...more,
});

const rowError = (line: number, message = `event_name is required (${line})`): RowError => ({
  row_number: line,
  code: RowErrorCode.REQUIRED,
  message,
  raw: { event_name: '', external_customer_id: `c${line}` },
});

describe('CheckpointRepository and row errors (PostgreSQL)', () => {
  const store = new CheckpointRepository();
  let db: TestDatabase;
  let rowErrors: TaskRowErrorRepository;
  const use = <T>(fn: (c: PoolClient) => Promise<T>) => withClient(db.ds, fn);

  async function newTask(): Promise<string> {
    const id = newId('task');
    await db.ds.query(
      `INSERT INTO tasks (id, tenant_id, environment_id, task_type, entity_type, file_type, file_url)
       VALUES ($1, 'tenant_1', 'env_1', 'IMPORT', 'EVENTS', 'CSV', 'http://127.0.0.1/x.csv')`,
      [id],
    );
    return id;
  }

  const stored = (taskId: string): Promise<Checkpoint> => use((c) => store.open(c, taskId, 0));

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_checkpoint');
    rowErrors = new TaskRowErrorRepository(db.ds);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('opens part 0 at zero once, and a later open returns it unchanged', async () => {
    const taskId = await newTask();
    const cp = await use((c) => store.open(c, taskId, 0));
    expect(cp).toEqual({
      taskId,
      part: 0,
      nextRecord: 0,
      processed: 0,
      successful: 0,
      failed: 0,
      duplicates: 0,
      totalRecords: null,
      seq: 0,
      errorSamples: [],
    });
    const moved = await use((c) => store.advance(c, cp, advance(5)));
    expect(await use((c) => store.open(c, taskId, 1))).toEqual(moved);
  });

  it('bumpSeq takes the next sequence number and fences a stale checkpoint', async () => {
    const taskId = await newTask();
    const cp = await stored(taskId);
    const bumped = await use((c) => store.bumpSeq(c, cp));
    expect(bumped).toEqual({ ...cp, seq: 1 });
    await expect(use((c) => store.bumpSeq(c, cp))).rejects.toBeInstanceOf(CheckpointFencedError);
    await expect(use((c) => store.advance(c, cp, advance(1)))).rejects.toThrow(
      `task ${taskId} is being processed by another delivery`,
    );
    expect(await stored(taskId)).toEqual(bumped);
  });

  it('advance adds a batch to the counters, replaces the samples and sets the total at the end', async () => {
    const taskId = await newTask();
    let cp = await stored(taskId);
    cp = await use((c) =>
      store.advance(c, cp, {
        records: 100,
        successful: 97,
        failed: 3,
        duplicates: 4,
        errorSamples: [{ row_number: 7, message: 'bad' }],
        totalRecords: null,
      }),
    );
    cp = await use((c) =>
      store.advance(c, cp, {
        ...advance(20, { successful: 19, failed: 1 }),
        errorSamples: [
          { row_number: 7, message: 'bad' },
          { row_number: 110, message: 'worse' },
        ],
        totalRecords: 120,
      }),
    );
    expect(cp).toEqual({
      taskId,
      part: 0,
      nextRecord: 120,
      processed: 120,
      successful: 116,
      failed: 4,
      duplicates: 4,
      totalRecords: 120,
      seq: 2,
      errorSamples: [
        { row_number: 7, message: 'bad' },
        { row_number: 110, message: 'worse' },
      ],
    });
    expect(await stored(taskId)).toEqual(cp);
  });

  it('lets exactly one of two workers advance from the same checkpoint', async () => {
    const taskId = await newTask();
    const cp = await stored(taskId);
    const results = await Promise.allSettled([
      use((c) => store.advance(c, cp, advance(10))),
      use((c) => store.advance(c, cp, advance(10))),
      use((c) => store.bumpSeq(c, cp)),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(CheckpointFencedError);
    }
    expect((await stored(taskId)).seq).toBe(1);
  });

  it('leaves the checkpoint (and the row errors) alone when the batch transaction rolls back', async () => {
    const taskId = await newTask();
    const cp = await stored(taskId);
    await expect(
      withTransaction(db.ds, async (c) => {
        await rowErrors.insert(c, taskId, 0, [rowError(2)]);
        await store.advance(c, cp, advance(10, { failed: 1, successful: 9 }));
        throw new Error('COPY failed');
      }),
    ).rejects.toThrow('COPY failed');
    expect(await stored(taskId)).toEqual(cp);
    const [{ n }]: Array<{ n: string }> = await db.ds.query(
      'SELECT count(*) AS n FROM task_row_errors WHERE task_id = $1',
      [taskId],
    );
    expect(Number(n)).toBe(0);
  });

  it('inserts row errors once: a second insert of the same rows keeps the first', async () => {
    const taskId = await newTask();
    await use((c) => rowErrors.insert(c, taskId, 0, []));
    await use((c) => rowErrors.insert(c, taskId, 0, [rowError(2), rowError(5)]));
    await use((c) =>
      rowErrors.insert(c, taskId, 0, [rowError(5, 'again'), rowError(9, 'quote " and ☃')]),
    );
    const rows: Array<Record<string, unknown>> = await db.ds.query(
      `SELECT part, row_number::int AS row_number, error_code, error_message, raw
       FROM task_row_errors WHERE task_id = $1 ORDER BY row_number`,
      [taskId],
    );
    expect(rows).toEqual([
      {
        part: 0,
        row_number: 2,
        error_code: 'required',
        error_message: 'event_name is required (2)',
        raw: { event_name: '', external_customer_id: 'c2' },
      },
      expect.objectContaining({ row_number: 5, error_message: 'event_name is required (5)' }),
      expect.objectContaining({ row_number: 9, error_message: 'quote " and ☃' }),
    ]);
  });

  it('saves the columns of the file, appending only new ones in order, and reads them back', async () => {
    const taskId = await newTask();
    await stored(taskId);
    expect(await use((c) => store.savedColumns(c, taskId, 0))).toEqual([]);
    await use((c) => store.saveColumns(c, taskId, 0, ['event_id', 'event_name']));
    await use((c) => store.saveColumns(c, taskId, 0, ['event_name', 'legacy', 'event_id', 'n']));
    expect(await use((c) => store.savedColumns(c, taskId, 0))).toEqual([
      'event_id',
      'event_name',
      'legacy',
      'n',
    ]);
    expect(await use((c) => store.savedColumns(c, taskId, 1))).toEqual([]);
    // /errors lists the rejected rows' keys in that order, unknown ones last.
    await use((c) => rowErrors.insert(c, taskId, 0, [rowError(2)]));
    expect(await rowErrors.columns(taskId)).toEqual(['event_name', 'external_customer_id']);
  });
});
