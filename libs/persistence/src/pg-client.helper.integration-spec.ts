import { Readable } from 'stream';
import { pipeline } from 'stream/promises';

import { from as copyFrom } from 'pg-copy-streams';

import { TaskCheckpointEntity } from './entities/task-checkpoint.entity';
import { withClient } from './pg-client.helper';
import { createTestDatabase, type TestDatabase } from './testing/test-database';
import { withTransaction } from './testing/transaction';

describe('withClient / withTransaction', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  const copyEvents = async (
    client: Parameters<Parameters<typeof withClient>[1]>[0],
    ids: string[],
  ): Promise<void> => {
    const lines = ids.map(
      (id) => `env_1\t${id}\ttenant_1\tapi_call\tcust_1\t2030-01-01T00:00:00Z\t{"n":1}\n`,
    );
    await pipeline(
      Readable.from(lines),
      client.query(
        copyFrom(
          'COPY events (environment_id, id, tenant_id, event_name, external_customer_id, timestamp, properties) FROM STDIN',
        ),
      ),
    );
  };

  /** How many events with this id there are (the events table has no ORM entity). */
  const eventCount = async (id: string): Promise<number> => {
    const [{ n }]: Array<{ n: number }> = await db.ds.query(
      'SELECT count(*)::int AS n FROM events WHERE id = $1',
      [id],
    );
    return n;
  };

  it('gives a raw pg client that can COPY', async () => {
    await withClient(db.ds, (client) => copyEvents(client, ['event_1', 'event_2']));
    const events: Array<{ id: string; properties: unknown; timestamp: Date }> = await db.ds.query(
      'SELECT id, properties, "timestamp" FROM events ORDER BY id',
    );
    expect(events.map((e) => e.id)).toEqual(['event_1', 'event_2']);
    expect(events[0].properties).toEqual({ n: 1 });
    expect(events[0].timestamp).toEqual(new Date('2030-01-01T00:00:00Z'));
  });

  it('commits a COPY and an ORM write together', async () => {
    await db.ds.query(
      `INSERT INTO tasks (id, tenant_id, environment_id, task_type, entity_type, file_type, file_url)
       VALUES ('task_cp', 'tenant_1', 'env_1', 'IMPORT', 'EVENTS', 'CSV', 'store://b/k')`,
    );
    await withTransaction(db.ds, async (client, manager) => {
      await copyEvents(client, ['event_3']);
      await manager.insert(TaskCheckpointEntity, {
        task_id: 'task_cp',
        part: 0,
        next_record: 1,
        processed: 1,
      });
    });
    const cp = await db.ds
      .getRepository(TaskCheckpointEntity)
      .findOneByOrFail({ task_id: 'task_cp' });
    expect(cp).toMatchObject({
      next_record: 1,
      processed: 1,
      duplicates: 0,
      total_records: null,
      error_samples: [],
    });
    expect(await eventCount('event_3')).toBe(1);
  });

  it('rolls both back when the callback throws', async () => {
    await expect(
      withTransaction(db.ds, async (client, manager) => {
        await copyEvents(client, ['event_4']);
        await manager.update(TaskCheckpointEntity, { task_id: 'task_cp' }, { next_record: 2 });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await eventCount('event_4')).toBe(0);
    const cp = await db.ds
      .getRepository(TaskCheckpointEntity)
      .findOneByOrFail({ task_id: 'task_cp' });
    expect(cp.next_record).toBe(1);
  });

  it('rolls back when a COPY fails (duplicate key) and returns the connection to the pool', async () => {
    await expect(
      withTransaction(db.ds, (client) => copyEvents(client, ['event_5', 'event_1'])),
    ).rejects.toThrow(/duplicate key/);
    expect(await eventCount('event_5')).toBe(0);
    // Pool of 5: leaking connections would hang here.
    for (let i = 0; i < 10; i++) await withClient(db.ds, (c) => c.query('SELECT 1'));
  });
});
