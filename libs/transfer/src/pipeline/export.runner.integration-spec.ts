import { randomBytes } from 'crypto';
import { type Readable } from 'stream';
import { gunzipSync } from 'zlib';

import {
  EntityType,
  FileType,
  isRetryable,
  newId,
  type TaskCreatedEvent,
  type TaskStatusEvent,
  TaskType,
} from '@ferry/contracts';
import { ObjectStorages } from '@ferry/files';
import { defaultMessagingConfig, JetStreamClient } from '@ferry/messaging';
import { createTestDatabase, type TestDatabase } from '@ferry/persistence/testing';

import { EXPORT_DEFINITIONS } from '../export.registry';
import { ExportRunner } from './export.runner';
import { StatusPublisher } from './status.publisher';

jest.setTimeout(30_000);

const NATS_URL = process.env['FERRY_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const TENANT = 'tenant_x';
const ENV = 'env_x';

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

describe('ExportRunner (PostgreSQL, NATS object store)', () => {
  let db: TestDatabase;
  let js: JetStreamClient;
  let storages: ObjectStorages;
  let runner: ExportRunner;
  const prefix = `ut${randomBytes(4).toString('hex')}`;

  async function task(
    fileType: FileType,
    metadata: Record<string, unknown> = {},
    fileUrl = 'store://exports/',
    entity = EntityType.EVENTS,
  ): Promise<TaskCreatedEvent> {
    const id = newId('task');
    await db.ds.query(
      `INSERT INTO tasks (id, tenant_id, environment_id, task_type, entity_type, file_type, file_url)
       VALUES ($1, $2, $3, 'EXPORT', $4, $5, $6)`,
      [id, TENANT, ENV, entity, fileType, fileUrl],
    );
    return {
      task_id: id,
      tenant_id: TENANT,
      environment_id: ENV,
      task_type: TaskType.EXPORT,
      entity_type: entity,
      file_type: fileType,
      file_url: fileUrl,
      metadata,
      attempt: 0,
      created_by: 'user_1',
    };
  }

  async function statusEvents(taskId: string): Promise<TaskStatusEvent[]> {
    const subject = js.subjects.taskStatus(taskId);
    const info = await js.jsm.streams.info(js.subjects.tasksStream, { subjects_filter: subject });
    const count = info.state.subjects?.[subject] ?? 0;
    const out: TaskStatusEvent[] = [];
    let seq = 0;
    for (let i = 0; i < count; i++) {
      // `next_by_subj` is a server option nats.js 3.4's MsgRequest type does not list yet.
      const query = { next_by_subj: subject, seq: seq + 1 } as unknown as { seq: number };
      const m = await js.jsm.streams.getMessage(js.subjects.tasksStream, query);
      if (!m) break;
      seq = m.seq;
      out.push(m.json<TaskStatusEvent>());
    }
    return out;
  }

  async function exported(t: TaskCreatedEvent): Promise<{ text: Buffer; last: TaskStatusEvent }> {
    await runner.run(t, { signal: new AbortController().signal });
    const events = await statusEvents(t.task_id);
    const last = events[events.length - 1];
    if (last.kind !== 'completed') throw new Error(`export failed: ${last.error_summary}`);
    const url = last.file_url ?? '';
    return { text: await readAll(await storages.open(url, ENV)), last };
  }

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_export');
    js = await JetStreamClient.connect(
      defaultMessagingConfig({ servers: NATS_URL, prefix, name: 'export-spec' }),
    );
    storages = ObjectStorages.fromConfig(
      {
        FERRY_NATS_PREFIX: prefix,
        FERRY_S3_ENDPOINT: '',
        FERRY_S3_REGION: 'us-east-1',
        FERRY_S3_ACCESS_KEY_ID: '',
        FERRY_S3_SECRET_ACCESS_KEY: '',
        FERRY_S3_FORCE_PATH_STYLE: true,
        FERRY_STORE_BUCKETS: 'exports,uploads',
      } as never,
      js.nc,
      { nativeDigest: false }, // Jest's VM cannot run the library's dynamic import
    );
    runner = new ExportRunner(
      db.ds,
      new StatusPublisher(js, js.subjects),
      storages,
      EXPORT_DEFINITIONS,
      { progressIntervalMs: 0, fetch: { allowLoopback: true, allowHttp: true } },
    );
    const rows: Array<[string, string, string, string | null, string, string | null, string]> = [
      ['evt_b', 'api_call', 'cust_1', null, '2024-01-02T00:00:00Z', 'sdk', '{"n": 1}'],
      ['evt_a', 'api_call', 'cust_1', 'c1', '2024-01-02T00:00:00Z', null, '{}'],
      [
        'evt_c',
        '=HYPERLINK("x")',
        'cust_2',
        null,
        '2024-01-01T10:00:00.25+02:00',
        null,
        '{"s": "a,\\"b\\"\\nc"}',
      ],
      ['evt_d', 'storage', '-5', null, '2024-03-01T00:00:00Z', '@src', '{"neg": "-1"}'],
      ['evt_other_env', 'api_call', 'cust_1', null, '2024-01-02T00:00:00Z', null, '{}'],
    ];
    for (const [id, name, cust, cid, ts, source, props] of rows) {
      await db.ds.query(
        `INSERT INTO events (environment_id, id, tenant_id, event_name, external_customer_id,
           customer_id, timestamp, source, properties, ingested_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, '2024-05-01T00:00:00Z')`,
        [id === 'evt_other_env' ? 'env_y' : ENV, id, TENANT, name, cust, cid, ts, source, props],
      );
    }
  });

  afterAll(async () => {
    if (js) {
      for (const s of [js.subjects.tasksStream, js.subjects.dlqStream, `OBJ_${prefix}_exports`]) {
        await js.jsm.streams.delete(s).catch(() => undefined);
      }
      await js.close();
    }
    await db?.drop();
  });

  it('writes a CSV in time-then-id order, guarded against formulas, with counters and file_url', async () => {
    const t = await task(FileType.CSV);
    const { text, last } = await exported(t);
    expect(text.toString()).toBe(
      'event_id,event_name,external_customer_id,customer_id,timestamp,source,properties,created_at\n' +
        `evt_c,"'=HYPERLINK(""x"")",cust_2,,2024-01-01T08:00:00.25Z,,"{""s"": ""a,\\""b\\""\\nc""}",2024-05-01T00:00:00Z\n` +
        'evt_a,api_call,cust_1,c1,2024-01-02T00:00:00Z,,{},2024-05-01T00:00:00Z\n' +
        'evt_b,api_call,cust_1,,2024-01-02T00:00:00Z,sdk,"{""n"": 1}",2024-05-01T00:00:00Z\n' +
        'evt_d,storage,-5,,2024-03-01T00:00:00Z,\'@src,"{""neg"": ""-1""}",2024-05-01T00:00:00Z\n',
    );
    expect(last.file_url).toBe(`store://exports/${t.task_id}.csv`);
    expect(last.counters).toEqual({
      processed_records: 4,
      successful_records: 4,
      failed_records: 0,
      total_records: 4,
    });
    expect(last.metadata).toMatchObject({ row_count: 4, file_size: text.length });
    const events = await statusEvents(t.task_id);
    // Progress comes as the bytes pass (at most one publication in flight), between the two.
    const kinds = events.map((e) => e.kind);
    expect(kinds[0]).toBe('started');
    expect(kinds.at(-1)).toBe('completed');
    expect(kinds.slice(1, -1).every((k) => k === 'progress')).toBe(true);
    expect(events.map((e) => e.seq)).toEqual(events.map((_e, i) => i + 1));
  });

  it('writes a JSON array with properties as objects, and selects by time, name and customer', async () => {
    const t = await task(FileType.JSON, {
      start_time: '2024-01-02T00:00:00Z',
      end_time: '2024-03-01T00:00:00Z',
      event_name: 'api_call',
      external_customer_id: 'cust_1',
    });
    const { text, last } = await exported(t);
    const parsed = JSON.parse(text.toString()) as Array<Record<string, unknown>>;
    expect(parsed.map((e) => e['event_id'])).toEqual(['evt_a', 'evt_b']);
    expect(parsed[1]).toEqual({
      event_id: 'evt_b',
      event_name: 'api_call',
      external_customer_id: 'cust_1',
      customer_id: null,
      timestamp: '2024-01-02T00:00:00Z',
      source: 'sdk',
      properties: { n: 1 },
      created_at: '2024-05-01T00:00:00Z',
    });
    expect(last.file_url).toBe(`store://exports/${t.task_id}.json`);
  });

  it('writes a header-only CSV and an empty JSON array when nothing is selected, gzip on request', async () => {
    const csv = await exported(
      await task(
        FileType.CSV,
        { event_name: 'nothing', compression: 'gzip' },
        'store://exports/x/',
      ),
    );
    expect(csv.last.file_url).toMatch(/^store:\/\/exports\/x\/task_\w+\.csv\.gz$/);
    expect(gunzipSync(csv.text).toString()).toBe(
      'event_id,event_name,external_customer_id,customer_id,timestamp,source,properties,created_at\n',
    );
    expect(csv.last.counters.total_records).toBe(0);
    const json = await exported(
      await task(FileType.JSON, { event_name: 'nothing' }, 'store://exports/e.json'),
    );
    expect(json.text.toString()).toBe('[]\n');
    expect(json.last.file_url).toBe('store://exports/e.json');
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a bad start_time', { start_time: 'yesterday' }, /start_time "yesterday" is not an RFC 3339/],
    [
      'start after end',
      { start_time: '2024-02-01T00:00:00Z', end_time: '2024-01-01T00:00:00Z' },
      /must not be after/,
    ],
    ['an unknown compression', { compression: 'zip' }, /compression "zip" is not supported/],
  ])('fails the task with a sentence for %s', async (_name, metadata, message) => {
    const t = await task(FileType.CSV, metadata);
    await runner.run(t, { signal: new AbortController().signal });
    const last = (await statusEvents(t.task_id)).at(-1);
    expect(last?.kind).toBe('failed');
    expect(last?.error_summary).toMatch(message);
  });

  it('stops an export aborted by a shutdown with a retryable error, announcing no end', async () => {
    const t = await task(FileType.CSV);
    const control = new AbortController();
    control.abort();
    const err: unknown = await runner.run(t, { signal: control.signal }).catch((e: unknown) => e);
    expect(isRetryable(err)).toBe(true);
    const kinds = (await statusEvents(t.task_id)).map((e) => e.kind);
    expect(kinds).not.toContain('completed');
    expect(kinds).not.toContain('failed');
    // The redelivery exports in full.
    const { last } = await exported(t);
    expect(last.counters.total_records).toBe(4);
  });

  it('fails an export to a store bucket that is not configured, naming the ones that are', async () => {
    const t = await task(FileType.CSV, {}, 'store://elsewhere/');
    await runner.run(t, { signal: new AbortController().signal });
    const last = (await statusEvents(t.task_id)).at(-1);
    expect(last?.kind).toBe('failed');
    expect(last?.error_summary).toBe(
      'store://elsewhere/ is not a bucket of the built-in store; use one of store://exports/, store://uploads/',
    );
  });

  it('fails an export of an entity type without an export definition, naming it', async () => {
    const t = await task(FileType.CSV, {}, 'store://exports/', EntityType.PRICES);
    const withoutPrices = new ExportRunner(
      db.ds,
      new StatusPublisher(js, js.subjects),
      storages,
      new Map([...EXPORT_DEFINITIONS].filter(([entity]) => entity !== EntityType.PRICES)),
      { progressIntervalMs: 0, fetch: { allowLoopback: true, allowHttp: true } },
    );
    await withoutPrices.run(t, { signal: new AbortController().signal });
    const last = (await statusEvents(t.task_id)).at(-1);
    expect(last?.kind).toBe('failed');
    expect(last?.error_summary).toMatch(/Exporting PRICES is not available/);
  });
});
