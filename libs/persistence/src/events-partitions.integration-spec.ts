import { EventsPartitioned1795900003000 } from './migrations/1795900003000-events-partitioned';
import { EventPartitionRepository } from './repositories/event-partition.repository';
import { createTestDatabase, type TestDatabase } from './testing/test-database';

/**
 * Migration 1795900003000 (events partitioned by month, docs/DECISIONS.md 121-124): on a database
 * that already has events, rows, their written_xid and the key's duplicate rule; partition
 * pruning for a time window; strays in the default partition moved into their month.
 */
describe('events partitioned by time', () => {
  let db: TestDatabase;
  const insert = (id: string, time: string) =>
    db.ds.query(
      `INSERT INTO events (environment_id, id, tenant_id, event_name, external_customer_id, "timestamp")
       VALUES ('env_p', $1, 'ten_p', 'api_call', 'cust', $2) ON CONFLICT DO NOTHING`,
      [id, time],
    );
  const count = async (table: string): Promise<number> =>
    Number(((await db.ds.query(`SELECT count(*) AS n FROM ${table}`)) as [{ n: string }])[0].n);

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('migrates a database that has events: every row, its written_xid, its month', async () => {
    const migration = new EventsPartitioned1795900003000();
    const runner = db.ds.createQueryRunner();
    try {
      await migration.down(runner); // the table as it was before, with rows in it
      await insert('old-1', '2024-01-15T10:00:00Z');
      await insert('old-2', '2024-03-01T00:00:00Z');
      await insert('ancient', '1990-06-01T00:00:00Z');
      const before = (await db.ds.query(
        `SELECT id, written_xid::text AS xid FROM events ORDER BY id`,
      )) as Array<{ id: string; xid: string }>;
      await migration.up(runner);
      const after = (await db.ds.query(
        `SELECT id, written_xid::text AS xid, tableoid::regclass::text AS part FROM events ORDER BY id`,
      )) as Array<{ id: string; xid: string; part: string }>;
      expect(after.map(({ id, xid }) => ({ id, xid }))).toEqual(before);
      expect(Object.fromEntries(after.map((r) => [r.id, r.part]))).toEqual({
        ancient: 'events_default',
        'old-1': 'events_p2024_01',
        'old-2': 'events_p2024_03',
      });
    } finally {
      await runner.release();
    }
  });

  it('keeps one row per id and time', async () => {
    await insert('dup', '2024-01-20T00:00:00Z');
    await insert('dup', '2024-01-20T00:00:00Z');
    await insert('dup', '2024-01-21T00:00:00Z');
    expect(
      Number(
        (
          (await db.ds.query(`SELECT count(*) AS n FROM events WHERE id = 'dup'`)) as [
            { n: string },
          ]
        )[0].n,
      ),
    ).toBe(2);
  });

  it('reads only the months of a time window, through the scope-time index', async () => {
    const plan = (
      (await db.ds.query(
        `EXPLAIN (FORMAT JSON) SELECT id FROM events WHERE tenant_id = 'ten_p' AND environment_id = 'env_p'
           AND "timestamp" >= '2024-01-01' AND "timestamp" < '2024-02-01' ORDER BY "timestamp", id`,
      )) as Array<{ 'QUERY PLAN': unknown }>
    )[0]['QUERY PLAN'];
    const text = JSON.stringify(plan);
    expect(text).toContain('events_p2024_01');
    expect(text).not.toContain('events_p2024_03');
    expect(text).not.toContain('events_default');
  });

  it('makes months ahead, and moves rows that waited in the default partition into theirs', async () => {
    const partitions = new EventPartitionRepository(db.ds);
    await insert('far', '2099-05-05T00:00:00Z');
    expect(await count('events_default')).toBe(2); // 'ancient' and 'far'
    await db.ds.query(
      `SELECT ferry_events_ensure_partitions('2099-05-01T00:00:00Z', '2099-06-01T00:00:00Z')`,
    );
    expect(await count('events_p2099_05')).toBe(1);
    expect(await count('events_default')).toBe(1);
    expect(await partitions.ensureAhead(3)).toBe(0); // the migration made them already
    const names = await partitions.list();
    const month = new Date();
    month.setUTCMonth(month.getUTCMonth() + 3);
    const ahead = `events_p${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
    expect(names).toContain(ahead);
    // Retention: a month detached is a table of its own, no longer part of events.
    const total = await count('events');
    await db.ds.query(`ALTER TABLE events DETACH PARTITION events_p2024_03`);
    expect(await count('events')).toBe(total - 1);
    expect(await count('events_p2024_03')).toBe(1);
  });
});
