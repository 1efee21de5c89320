import type { PoolClient } from 'pg';

import { createTestDatabase, type TestDatabase } from '@ferry/persistence/testing';

import { BatchCommitter, type BatchSteps } from './batch.committer';

interface Work {
  n: number;
  /** Keys this batch inserts (the table's primary key). */
  keys: string[];
  /** Waits this long before writing; `afterFirstKeyMs` waits between its first key and the rest. */
  delayMs?: number;
  afterFirstKeyMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('BatchCommitter (PostgreSQL)', () => {
  let db: TestDatabase;
  let log: string[];

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_committer');
  });
  afterAll(async () => {
    await db.drop();
  });
  beforeEach(async () => {
    log = [];
    await db.ds.query('DROP TABLE IF EXISTS t');
    await db.ds.query('CREATE TABLE t (k text PRIMARY KEY, batch int NOT NULL)');
  });

  function steps(failFinish?: number): BatchSteps<Work, number> {
    return {
      write: async (client: PoolClient, w: Work) => {
        if (w.delayMs) await sleep(w.delayMs);
        let written = 0;
        for (const [i, k] of w.keys.entries()) {
          if (i === 1 && w.afterFirstKeyMs) await sleep(w.afterFirstKeyMs);
          const r = await client.query(
            'INSERT INTO t (k, batch) VALUES ($1, $2) ON CONFLICT (k) DO NOTHING',
            [k, w.n],
          );
          written += r.rowCount ?? 0;
        }
        log.push(`write ${w.n}`);
        return written;
      },
      finish: async (_client, w, written) => {
        if (w.n === failFinish) throw new Error(`batch ${w.n} cannot finish`);
        log.push(`finish ${w.n} (${written})`);
      },
      committed: async (w) => {
        log.push(`committed ${w.n}`);
      },
    };
  }

  /**
   * Two more batches, a slow one first: true when the second wrote while the first still slept,
   * i.e. the committer still writes batches at once.
   */
  async function writesAtOnce(c: BatchCommitter<Work, number>, n: number): Promise<boolean> {
    log = [];
    await c.submit({ n, keys: [`later-${n}`], delayMs: 300 });
    await c.submit({ n: n + 1, keys: [`later-${n + 1}`] });
    await c.drain();
    return log.indexOf(`write ${n + 1}`) < log.indexOf(`write ${n}`);
  }

  const rows = async () =>
    (await db.ds.query('SELECT k, batch FROM t ORDER BY k')) as Array<{ k: string; batch: number }>;

  it('writes two batches at once but commits them in order', async () => {
    const c = new BatchCommitter(db.ds, steps(), 2);
    await c.submit({ n: 0, keys: ['a', 'b'], delayMs: 300 });
    await c.submit({ n: 1, keys: ['c'] });
    await c.submit({ n: 2, keys: ['d'] });
    await c.drain();
    // Batch 1 wrote while batch 0 still slept, but finished and committed after it.
    expect(log.indexOf('write 1')).toBeLessThan(log.indexOf('write 0'));
    expect(log.filter((l) => !l.startsWith('write'))).toEqual([
      'finish 0 (2)',
      'committed 0',
      'finish 1 (1)',
      'committed 1',
      'finish 2 (1)',
      'committed 2',
    ]);
    expect(await rows()).toHaveLength(4);
    expect(await writesAtOnce(c, 3)).toBe(true);
  });

  it('writes batches again one at a time when an earlier one waits on a later one', async () => {
    // Batch 0 inserts 'x', then waits; batch 1 takes 'shared' first; batch 0 then needs 'shared',
    // held by batch 1, which in turn waits for batch 0 to commit: only the lock timeout ends it.
    const c = new BatchCommitter(db.ds, steps(), 2, 200);
    await c.submit({ n: 0, keys: ['x', 'shared'], afterFirstKeyMs: 150 });
    await c.submit({ n: 1, keys: ['shared', 'y'] });
    await c.submit({ n: 2, keys: ['z'] });
    await c.drain();
    expect(log.filter((l) => l.startsWith('committed'))).toEqual([
      'committed 0',
      'committed 1',
      'committed 2',
    ]);
    // The file's first occurrence wins: 'shared' belongs to batch 0, batch 1 skipped it.
    expect(await rows()).toEqual([
      { k: 'shared', batch: 0 },
      { k: 'x', batch: 0 },
      { k: 'y', batch: 1 },
      { k: 'z', batch: 2 },
    ]);
    expect(log).toContain('finish 1 (1)');
    // The task stays on one writer from then on.
    expect(await writesAtOnce(c, 3)).toBe(false);
  });

  it('commits nothing after a batch that failed, and throws its error', async () => {
    const c = new BatchCommitter(db.ds, steps(1), 2);
    await c.submit({ n: 0, keys: ['a'] });
    await c.submit({ n: 1, keys: ['b'] });
    const third = c.submit({ n: 2, keys: ['c'] }).then(() => c.drain());
    await expect(third).rejects.toThrow('batch 1 cannot finish');
    await c.abandon();
    expect(log.filter((l) => l.startsWith('committed'))).toEqual(['committed 0']);
    expect(await rows()).toEqual([{ k: 'a', batch: 0 }]);
  });

  it('with one writer never has two batches in flight', async () => {
    const c = new BatchCommitter(db.ds, steps(), 1);
    await c.submit({ n: 0, keys: ['a'], delayMs: 100 });
    await c.submit({ n: 1, keys: ['b'] });
    await c.drain();
    expect(log).toEqual([
      'write 0',
      'finish 0 (1)',
      'committed 0',
      'write 1',
      'finish 1 (1)',
      'committed 1',
    ]);
  });
});
