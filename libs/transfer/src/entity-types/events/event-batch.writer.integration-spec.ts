import { randomBytes } from 'crypto';

import { Client, Pool, type PoolClient } from 'pg';

import { RowErrorCode } from '@ferry/contracts';

import { type ImportScope } from '../../entity-definition';
import { type EventRecord } from './event.record';
import { eventsImport } from './events.import';

const ADMIN = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' };
const DB = `ferry_ut_${randomBytes(6).toString('hex')}`;

// The shape of migration 1795900003000 (without its partitions): the key holds the time.
const EVENTS_DDL = `CREATE TABLE events (
  environment_id text NOT NULL, id text NOT NULL, tenant_id text NOT NULL,
  event_name text NOT NULL, external_customer_id text NOT NULL, customer_id text NULL,
  "timestamp" timestamptz NOT NULL, source text NULL, properties jsonb NOT NULL DEFAULT '{}',
  task_id text NULL, ingested_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (environment_id, id, "timestamp"))`;

const scope: ImportScope = {
  tenantId: 'tenant_1',
  environmentId: 'env_1',
  taskId: 'task_01HZX3K5V7R8Y9Z0ABCDEFGHJK',
  importTime: new Date('2025-03-04T05:06:07.000Z'),
};

const HEADER = [
  'event_id',
  'event_name',
  'external_customer_id',
  'customer_id',
  'timestamp',
  'source',
  'properties',
];

function records(
  rows: string[][],
  firstLine = 2,
  header: string[] = HEADER,
  mapScope: ImportScope = scope,
): EventRecord[] {
  const mapper = eventsImport.compile(header, mapScope);
  return rows.map((cells, i) => {
    const r = mapper.map(cells, firstLine + i);
    if (typeof r !== 'string') throw new Error(r.message);
    return r;
  });
}

function numbered(from: number, to: number, prefix = 'evt'): EventRecord[] {
  const rows: string[][] = [];
  for (let i = from; i < to; i++)
    rows.push([
      `${prefix}-${i}`,
      'api_call',
      `cust-${i % 7}`,
      '',
      '2024-01-31T12:00:00Z',
      'sdk',
      `{"i":${i}}`,
    ]);
  return records(rows);
}

describe('eventsImport.writeBatch (PostgreSQL)', () => {
  let pool: Pool;

  beforeAll(async () => {
    const admin = new Client(ADMIN);
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DB}`);
    await admin.end();
    pool = new Pool({ ...ADMIN, database: DB, max: 2 });
    await pool.query(EVENTS_DDL);
  });

  afterAll(async () => {
    await pool?.end();
    const admin = new Client(ADMIN);
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.end();
  });

  beforeEach(() => pool.query('TRUNCATE events'));

  async function inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    } finally {
      client.release();
    }
  }

  const count = async (): Promise<number> =>
    Number((await pool.query('SELECT count(*) AS n FROM events')).rows[0].n);

  it('inserts a batch, and a second write of it is all duplicates', async () => {
    const batch = numbered(0, 500);
    expect(await inTransaction((c) => eventsImport.writeBatch(c, batch, scope))).toEqual({
      written: 500,
      duplicates: 0,
      rowErrors: [],
    });
    expect(await count()).toBe(500);
    expect(await inTransaction((c) => eventsImport.writeBatch(c, batch, scope))).toEqual({
      written: 0,
      duplicates: 500,
      rowErrors: [],
    });
    expect(await count()).toBe(500);
    const row = (await pool.query(`SELECT * FROM events WHERE id = 'evt-3'`)).rows[0];
    expect(row).toMatchObject({
      environment_id: 'env_1',
      tenant_id: 'tenant_1',
      task_id: scope.taskId,
      properties: { i: 3 },
    });
    expect((row.timestamp as Date).toISOString()).toBe('2024-01-31T12:00:00.000Z');
  });

  it('writes the new part of a batch that is half old', async () => {
    await inTransaction((c) => eventsImport.writeBatch(c, numbered(0, 100), scope));
    expect(
      await inTransaction((c) => eventsImport.writeBatch(c, numbered(50, 150), scope)),
    ).toEqual({
      written: 50,
      duplicates: 50,
      rowErrors: [],
    });
    expect(await count()).toBe(150);
  });

  it('counts a duplicate inside one batch once', async () => {
    const batch = [...numbered(0, 10), ...numbered(3, 4)];
    expect(await inTransaction((c) => eventsImport.writeBatch(c, batch, scope))).toEqual({
      written: 10,
      duplicates: 1,
      rowErrors: [],
    });
    expect(await count()).toBe(10);
  });

  it('keeps one row per id and time: the same id at another time is another event', async () => {
    // docs/DECISIONS.md 122 (Flexprice's raw events: one row per id and time).
    const at = (id: string, time: string) =>
      records([[id, 'api_call', 'cust-1', '', time, '', '{}']])[0];
    const batch = [
      at('same-id', '2024-01-31T12:00:00Z'),
      at('same-id', '2024-02-01T12:00:00Z'),
      at('same-id', '2024-01-31T12:00:00Z'),
    ];
    expect(await inTransaction((c) => eventsImport.writeBatch(c, batch, scope))).toEqual({
      written: 2,
      duplicates: 1,
      rowErrors: [],
    });
  });

  it('handles two fallbacks in one transaction', async () => {
    await inTransaction((c) => eventsImport.writeBatch(c, numbered(0, 10), scope));
    const [a, b] = await inTransaction(async (c) => [
      await eventsImport.writeBatch(c, [...numbered(5, 15)], scope),
      await eventsImport.writeBatch(c, [...numbered(10, 20)], scope),
    ]);
    expect(a).toEqual({ written: 5, duplicates: 5, rowErrors: [] });
    expect(b).toEqual({ written: 5, duplicates: 5, rowErrors: [] });
    expect(await count()).toBe(20);
  });

  it('stores special characters exactly', async () => {
    const odd = [
      'tab\there',
      'new\nline',
      'cr\r\nlf',
      'back\\slash \\N \\t',
      `quotes "double" 'single'`,
      'unicode é ü 中文 😀',
      '\\.',
      ' padded ',
    ];
    const rows = odd.map((s, i) => [
      `odd-${i}\t${s}`,
      s,
      s,
      s,
      '2024-01-31T12:00:00Z',
      s,
      JSON.stringify({ s, [s]: i }),
    ]);
    const batch = records(rows);
    expect((await inTransaction((c) => eventsImport.writeBatch(c, batch, scope))).written).toBe(
      odd.length,
    );
    const stored = await pool.query(
      'SELECT id, event_name, external_customer_id, customer_id, source, properties FROM events ORDER BY id',
    );
    const byId = new Map(stored.rows.map((r) => [r.id as string, r]));
    odd.forEach((s, i) => {
      expect(byId.get(`odd-${i}\t${s}`)).toEqual({
        id: `odd-${i}\t${s}`,
        event_name: s,
        external_customer_id: s,
        customer_id: s,
        source: s,
        properties: { s, [s]: i },
      });
    });
  });

  it('stores a pretty-printed JSON properties cell as its object', async () => {
    const json = '{\n\t"a": "x\\ty",\r\n  "n": 12345678901234567890.5\n}';
    const batch = records([['pretty', 'e', 'c', '', '2024-01-31T12:00:00Z', '', json]]);
    await inTransaction((c) => eventsImport.writeBatch(c, batch, scope));
    const stored = await pool.query(`SELECT properties::text AS p FROM events WHERE id = 'pretty'`);
    expect(stored.rows[0].p).toBe('{"a": "x\\ty", "n": 12345678901234567890.5}');
  });

  it('turns a row the database refuses into a row error and writes the others', async () => {
    const rows = [
      ['ok-1', 'e', 'c', '', '2024-01-31T12:00:00Z', '', '{}'],
      ['bad', 'e', 'c', '', '2024-01-31T12:00:00Z', '', '{"a":"\\ud800"}'],
      ['ok-2', 'e', 'c', '', '2024-01-31T12:00:00Z', '', '{}'],
    ];
    const result = await inTransaction((c) => eventsImport.writeBatch(c, records(rows, 10), scope));
    expect(result.written).toBe(2);
    expect(result.rowErrors).toHaveLength(1);
    expect(result.rowErrors[0]).toMatchObject({
      row_number: 11,
      code: RowErrorCode.INVALID_VALUE,
      raw: { event_id: 'bad' },
    });
    expect(result.rowErrors[0].message).toMatch(/^properties was refused by the database: /);
    expect(await count()).toBe(2);
  });

  it('counts duplicates and refused rows in the same batch', async () => {
    await inTransaction((c) => eventsImport.writeBatch(c, numbered(0, 1), scope));
    const rows = [
      ['evt-0', 'e', 'c', '', '2024-01-31T12:00:00Z', '', '{}'],
      ['bad', 'e', 'c', '', '2024-01-31T12:00:00Z', '', '{"a":"\\udc00"}'],
      ['new', 'e', 'c', '', '2024-01-31T12:00:00Z', '', '{}'],
    ];
    const result = await inTransaction((c) => eventsImport.writeBatch(c, records(rows), scope));
    expect(result).toMatchObject({ written: 1, duplicates: 1 });
    expect(result.rowErrors.map((e) => e.row_number)).toEqual([3]);
    expect(await count()).toBe(2);
  });

  it('leaves nothing behind when the caller rolls back', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await eventsImport.writeBatch(client, numbered(0, 10), scope);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await count()).toBe(0);
  });

  describe('dryWriteBatch: the same counts and refusals as writeBatch, nothing in events', () => {
    const dryScope: ImportScope = { ...scope, taskId: 'task_01HZX3K5V7R8Y9Z0DRYDRYDRYD' };
    const realScope: ImportScope = { ...scope, taskId: 'task_01HZX3K5V7R8Y9Z0REALREALRE' };
    const { dryWriteBatch, dryPrepare, dryFinish } = eventsImport;
    if (!dryWriteBatch || !dryPrepare || !dryFinish) throw new Error('events have a dry writer');
    const dry = (batch: EventRecord[]) => inTransaction((c) => dryWriteBatch(c, batch, dryScope));
    const real = (batch: EventRecord[]) =>
      inTransaction((c) => eventsImport.writeBatch(c, batch, realScope));

    beforeEach(async () => {
      const c = await pool.connect();
      try {
        await dryFinish(c, dryScope);
        await dryPrepare(c, dryScope);
      } finally {
        c.release();
      }
    });

    const row = (id: string, time: string, props = '{}') => [id, 'e', 'c', '', time, '', props];
    // The dry run maps with its own mapper (docs/DECISIONS.md 112): the same rows, leaner records.
    const dryMapped = { ...dryScope, dryRun: true };
    type Make = (rows: string[][], line: number) => EventRecord[];
    const forReal: Make = (rows, line) => records(rows, line);
    const forDry: Make = (rows, line) => records(rows, line, HEADER, dryMapped);
    // In-file duplicate (same id and time), the same id at another time (not a duplicate), values
    // the database refuses (a JSON cell, a time zone offset past ±15:59), and a duplicate of an
    // earlier batch.
    const first = (make: Make) =>
      make(
        [
          row('a', '2024-01-31T12:00:00Z'),
          row('a', '2024-01-31T12:00:00Z'),
          row('a', '2024-02-01T12:00:00Z'),
          row('a', '2024-01-31T13:00:00+01:00'),
          row('bad', '2024-01-31T12:00:00Z', '{"a":"\\ud800"}'),
          row('b', '2024-01-31T12:00:00Z'),
          row('far', '2024-01-31T12:00:00+20:00'),
        ],
        10,
      );
    const second = (make: Make) =>
      make([row('b', '2024-01-31T12:00:00Z'), row('b', '2024-03-01T00:00:00Z')], 20);

    it('counts like the real writer in an empty environment, and writes no event', async () => {
      const expected = [await real(first(forReal)), await real(second(forReal))];
      await pool.query('TRUNCATE events');
      const got = [await dry(first(forDry)), await dry(second(forDry))];
      // The row errors too: codes, messages and raw cells.
      expect(got).toEqual(expected);
      expect(got[0]).toMatchObject({ written: 3, duplicates: 2 });
      expect(got[0].rowErrors.map((e) => e.row_number)).toEqual([14, 16]);
      expect(got[0].rowErrors[1].message).toMatch(/^timestamp was refused by the database: /);
      expect(got[1]).toMatchObject({ written: 1, duplicates: 1 });
      expect(await count()).toBe(0);
    });

    it('counts an existing event at the same id and time as a duplicate, not at another time', async () => {
      await real(records([row('a', '2024-01-31T12:00:00.000Z'), row('z', '2024-01-31T12:00:00Z')]));
      const before = await count();
      const got = [await dry(first(forDry)), await dry(second(forDry))];
      expect(await count()).toBe(before);
      const expected = [await real(first(forReal)), await real(second(forReal))];
      expect(got).toEqual(expected);
      // `a` at 12:00 exists (twice in the file and once as +01:00): one new `a` (February), one `b`.
      expect(got[0]).toMatchObject({ written: 2, duplicates: 3 });
      expect(got[1]).toMatchObject({ written: 1, duplicates: 1 });
    });

    it('refuses a row of properties.<key> cells with the real run’s raw cells', async () => {
      const header = [
        'event_id',
        'event_name',
        'external_customer_id',
        'timestamp',
        'properties.r',
      ];
      const rows = [
        ['p1', 'e', 'c', '2024-01-31T12:00:00Z', 'eu'],
        ['p2', 'e', 'c', '2024-01-31T12:00:00-16:00', 'us\tx'],
        ['p1', 'e', 'c', '2024-01-31T12:00:00Z', 'eu'],
      ];
      const got = await dry(records(rows, 5, header, dryMapped));
      const expected = await real(records(rows, 5, header, realScope));
      expect(got).toEqual(expected);
      expect(got).toMatchObject({ written: 1, duplicates: 1 });
      expect(got.rowErrors[0].raw).toMatchObject({ event_id: 'p2', properties: '{"r":"us\\tx"}' });
    });

    it('resumes on a table made before the lean records (all of events’ columns)', async () => {
      const c = await pool.connect();
      try {
        await dryFinish(c, dryScope);
        const table = `ferry_dry_ids_${dryScope.taskId.toLowerCase()}`;
        // The table as decision 110 made it.
        await c.query(
          `CREATE UNLOGGED TABLE ${table} (id text NOT NULL, event_name text NOT NULL, ` +
            'external_customer_id text NOT NULL, customer_id text, "timestamp" timestamptz NOT NULL, source text, ' +
            'properties jsonb NOT NULL, environment_id text NOT NULL, tenant_id text NOT NULL, task_id text, ' +
            'PRIMARY KEY (environment_id, id, "timestamp"))',
        );
        await c.query(
          `INSERT INTO ${table} (environment_id, id, tenant_id, event_name, external_customer_id, "timestamp", properties) ` +
            "VALUES ('env_1', 'b', 't', 'e', 'c', '2024-01-31T12:00:00Z', '{}')",
        );
        await dryPrepare(c, dryScope);
      } finally {
        c.release();
      }
      // `b` at 12:00 was written by the run's earlier batch: a duplicate.
      expect(await dry(second(forDry))).toMatchObject({ written: 1, duplicates: 1 });
    });
  });
});
