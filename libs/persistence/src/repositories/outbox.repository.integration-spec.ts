import { OutboxEntity } from '../entities/outbox.entity';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { OutboxRepository } from './outbox.repository';

describe('OutboxRepository', () => {
  let db: TestDatabase;
  let outbox: OutboxRepository;

  const insert = async (n: number): Promise<string[]> => {
    const rows = Array.from({ length: n }, (_, i) => ({
      subject: 'task.created.import.events',
      msg_id: `m${i}`,
      payload: { i },
    }));
    const res = await db.ds.getRepository(OutboxEntity).insert(rows);
    return res.identifiers.map((r) => String(r['id']));
  };
  const clear = () => db.ds.query('DELETE FROM outbox');

  beforeAll(async () => {
    db = await createTestDatabase();
    outbox = new OutboxRepository(db.ds);
  });
  afterAll(async () => {
    await db.drop();
  });
  beforeEach(clear);

  it('counts the backlog and marks rows published', async () => {
    const ids = await insert(3);
    expect(await outbox.backlog()).toBe(3);
    expect(await outbox.markPublished(ids.slice(0, 2))).toBe(2);
    expect(await outbox.markPublished(ids.slice(0, 2))).toBe(0);
    expect(await outbox.markPublished([])).toBe(0);
    expect(await outbox.backlog()).toBe(1);
  });

  it('claims in id order, marks what was published, records attempts and errors of the rest', async () => {
    const ids = await insert(4);
    const seen: string[] = [];
    const claimed = await outbox.claimUnpublished(10, 0, async (rows) => {
      seen.push(...rows.map((r) => r.id));
      return { published: [ids[0], ids[2]], errors: { [ids[1]]: 'broker said no' } };
    });
    expect(seen).toEqual(ids);
    expect(claimed.map((r) => r.id)).toEqual(ids);
    const byId = new Map(claimed.map((r) => [r.id, r]));
    expect(byId.get(ids[0])?.published_at).toBeInstanceOf(Date);
    expect(byId.get(ids[1])).toMatchObject({
      published_at: null,
      attempts: 1,
      last_error: 'broker said no',
    });
    expect(byId.get(ids[3])).toMatchObject({
      published_at: null,
      attempts: 1,
      last_error: 'not published',
    });
    expect(await outbox.backlog()).toBe(2);

    // Without errors the rest are published; published rows are never claimed again.
    const again = await outbox.claimUnpublished(10, 0, async (rows) => ({
      published: rows.map((r) => r.id),
    }));
    expect(again.map((r) => r.id)).toEqual([ids[1], ids[3]]);
    expect(again.every((r) => r.published_at !== null && r.attempts === 1)).toBe(true);
    expect(await outbox.backlog()).toBe(0);
  });

  it('records a throwing publisher as a failed attempt on every row', async () => {
    await insert(2);
    const claimed = await outbox.claimUnpublished(10, 0, async () => {
      throw new Error('nats down');
    });
    expect(claimed.map((r) => [r.attempts, r.last_error, r.published_at])).toEqual([
      [1, 'nats down', null],
      [1, 'nats down', null],
    ]);
  });

  it('honours limit and skips rows younger than olderThanMs', async () => {
    await insert(3);
    const none = await outbox.claimUnpublished(10, 60_000, async (rows) => ({
      published: rows.map((r) => r.id),
    }));
    expect(none).toEqual([]);
    await db.ds.query(`UPDATE outbox SET created_at = now() - interval '2 minutes'`);
    const two = await outbox.claimUnpublished(2, 60_000, async (rows) => ({
      published: rows.map((r) => r.id),
    }));
    expect(two).toHaveLength(2);
  });

  it('never hands the same row to two concurrent claimers', async () => {
    await insert(20);
    const got: string[][] = [[], []];
    let releaseFirst: () => void = () => undefined;
    const secondDone = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstWaited: 'released' | 'timeout' | undefined;

    // The first claimer keeps its transaction open until the second has finished its claim:
    // without SKIP LOCKED the second would wait on the first's locks and this test time out.
    const first = outbox.claimUnpublished(10, 0, async (rows) => {
      got[0] = rows.map((r) => r.id);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 3000)));
      firstWaited = await Promise.race([secondDone.then(() => 'released' as const), timeout]);
      clearTimeout(timer);
      return { published: got[0] };
    });
    await new Promise((r) => setTimeout(r, 100));
    const second = outbox.claimUnpublished(10, 0, async (rows) => {
      got[1] = rows.map((r) => r.id);
      return { published: got[1] };
    });
    const secondRows = await second;
    releaseFirst();
    await first;

    expect(firstWaited).toBe('released');
    expect(got[0]).toHaveLength(10);
    expect(secondRows).toHaveLength(10);
    expect(got[0].filter((id) => got[1].includes(id))).toEqual([]);
    expect(await outbox.backlog()).toBe(0);
  });

  it('splits a backlog between many concurrent claimers without overlap', async () => {
    await insert(100);
    const seen: string[] = [];
    await Promise.all(
      Array.from({ length: 4 }, () =>
        outbox.claimUnpublished(10, 0, async (rows) => {
          seen.push(...rows.map((r) => r.id));
          await new Promise((r) => setTimeout(r, 20));
          return { published: rows.map((r) => r.id) };
        }),
      ),
    );
    expect(new Set(seen).size).toBe(seen.length);
  });
});
