import { randomBytes } from 'crypto';
import { getEventListeners } from 'events';
import * as http from 'http';

import type { AddressInfo } from 'net';

import {
  derivedId,
  EntityType,
  FerryError,
  FileType,
  idTime,
  isRetryable,
  newId,
  type TaskCreatedEvent,
  TaskStatus,
  type TaskStatusEvent,
  TaskType,
} from '@ferry/contracts';
import { defaultMessagingConfig, JetStreamClient } from '@ferry/messaging';
import { createTestDatabase, type TestDatabase } from '@ferry/persistence/testing';

import type { EntityImportDefinition } from '../entity-definition';
import { IMPORT_DEFINITIONS } from '../import.registry';
import { ImportRunner, type ImportSettings } from './import.runner';
import { StatusPublisher } from './status.publisher';

jest.setTimeout(30_000);

const NATS_URL = process.env['FERRY_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const HEADER = 'event_id,event_name,external_customer_id,timestamp,properties.n';
type Definitions = ReadonlyMap<EntityType, EntityImportDefinition<unknown>>;

/** How the loopback file server answers one path. */
interface ServedFile {
  body: string | Buffer;
  status?: number;
  /** Sends the body in pieces of this size, `delayMs` apart (a slow server). */
  chunkBytes?: number;
  delayMs?: number;
  /** The response head waits for this (to line two requests up). */
  hold?: Promise<void>;
}

interface CheckpointRow {
  next_record: string;
  processed: string;
  successful: string;
  failed: string;
  duplicates: string;
  total_records: string | null;
  seq: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Rows `from..to-1`; every row whose number is a multiple of `badEvery` lacks its event_name. */
function eventsCsv(from: number, to: number, badEvery = 0): string {
  const rows = [HEADER];
  for (let i = from; i < to; i++) {
    const name = badEvery > 0 && i % badEvery === 0 ? '' : 'api_call';
    rows.push(`evt-${i},${name},cust-${i % 7},2024-01-31T12:00:00Z,${i}`);
  }
  return rows.join('\n') + '\n';
}

describe('ImportRunner (PostgreSQL, NATS, loopback HTTP)', () => {
  let db: TestDatabase;
  let js: JetStreamClient;
  let server: http.Server;
  let baseUrl: string;
  const files = new Map<string, ServedFile>();
  const requested: string[] = [];

  const settings: ImportSettings = {
    batchSize: 100,
    writers: 2, // the importer's default: events batches write two at a time
    progressIntervalMs: 60_000,
    allowLoopbackSources: true,
    fetch: { allowHttp: true },
    maxFileBytes: 64 * 1024 * 1024,
    connectTimeoutMs: 2_000,
    idleTimeoutMs: 5_000,
  };

  const runner = (
    overrides: Partial<ImportSettings> = {},
    defs: Definitions = IMPORT_DEFINITIONS,
  ) =>
    new ImportRunner(db.ds, new StatusPublisher(js, js.subjects), defs, {
      ...settings,
      ...overrides,
    });

  async function serve(res: http.ServerResponse, file: ServedFile): Promise<void> {
    if (file.hold) await file.hold;
    const body = typeof file.body === 'string' ? Buffer.from(file.body) : file.body;
    res.writeHead(file.status ?? 200, { 'content-type': 'text/csv' });
    const step = Math.max(1, file.chunkBytes ?? body.length);
    for (let at = 0; at < body.length && !res.destroyed; at += step) {
      res.write(body.subarray(at, at + step));
      if (file.delayMs) await sleep(file.delayMs);
    }
    res.end();
  }

  /** Puts `body` on the file server and a PENDING task for it in the tasks table. */
  async function newTask(
    file: ServedFile | string,
    opts: { fileType?: FileType; status?: TaskStatus; attempt?: number; entity?: EntityType } = {},
  ): Promise<TaskCreatedEvent> {
    const taskId = newId('task');
    const path = `/${taskId}.csv`;
    files.set(path, typeof file === 'string' ? { body: file } : file);
    const event: TaskCreatedEvent = {
      task_id: taskId,
      tenant_id: 'tenant_runner',
      // Its own environment per task, so the same event_id in two tests never collides.
      environment_id: `env_${randomBytes(6).toString('hex')}`,
      task_type: TaskType.IMPORT,
      entity_type: opts.entity ?? EntityType.EVENTS,
      file_type: opts.fileType ?? FileType.CSV,
      file_url: `${baseUrl}${path}`,
      metadata: {},
      attempt: opts.attempt ?? 0,
    };
    await db.ds.query(
      `INSERT INTO tasks (id, tenant_id, environment_id, task_type, entity_type, file_type, file_url,
                          task_status, attempt)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        taskId,
        event.tenant_id,
        event.environment_id,
        event.task_type,
        event.entity_type,
        event.file_type,
        event.file_url,
        opts.status ?? TaskStatus.PENDING,
        opts.attempt ?? 0,
      ],
    );
    return event;
  }

  const requestsFor = (task: TaskCreatedEvent) =>
    requested.filter((p) => task.file_url.endsWith(p)).length;

  /** The task's status events as the TASKS stream stored them, in stream order. */
  async function statusEvents(taskId: string): Promise<TaskStatusEvent[]> {
    const subject = js.subjects.taskStatus(taskId);
    const info = await js.jsm.streams.info(js.subjects.tasksStream, { subjects_filter: subject });
    const count = info.state.subjects?.[subject] ?? 0;
    if (count === 0) return [];
    const consumer = await js.js.consumers.get(js.subjects.tasksStream, {
      filter_subjects: subject,
    });
    const events: TaskStatusEvent[] = [];
    for await (const m of await consumer.fetch({ max_messages: count, expires: 5_000 })) {
      events.push(m.json<TaskStatusEvent>());
      if (events.length === count) break;
    }
    await consumer.delete();
    return events;
  }

  /** Calls `fn` with each status event of the task as it is published (core subscription). */
  function watchStatus(taskId: string, fn: (e: TaskStatusEvent) => void): () => void {
    const sub = js.nc.subscribe(js.subjects.taskStatus(taskId), {
      callback: (err, msg) => {
        if (!err) fn(msg.json<TaskStatusEvent>());
      },
    });
    return () => sub.unsubscribe();
  }

  async function checkpoint(taskId: string): Promise<CheckpointRow | undefined> {
    const rows: CheckpointRow[] = await db.ds.query(
      `SELECT next_record, processed, successful, failed, duplicates, total_records, seq
       FROM import_checkpoints WHERE task_id = $1 AND part = 0`,
      [taskId],
    );
    return rows[0];
  }

  async function eventCount(task: TaskCreatedEvent): Promise<number> {
    const [{ n }]: Array<{ n: string }> = await db.ds.query(
      'SELECT count(*) AS n FROM events WHERE environment_id = $1 AND task_id = $2',
      [task.environment_id, task.task_id],
    );
    return Number(n);
  }

  /** Seq strictly increasing in `events`' order, and no counter ever smaller than before. */
  function expectMonotonic(events: TaskStatusEvent[]): void {
    for (let i = 1; i < events.length; i++) {
      const [a, b] = [events[i - 1], events[i]];
      expect(b.seq).toBeGreaterThan(a.seq);
      expect(b.counters.processed_records).toBeGreaterThanOrEqual(a.counters.processed_records);
      expect(b.counters.successful_records).toBeGreaterThanOrEqual(a.counters.successful_records);
      expect(b.counters.failed_records).toBeGreaterThanOrEqual(a.counters.failed_records);
    }
  }

  const counters = (
    processed: number,
    successful: number,
    failed: number,
    total: number | null,
  ) => ({
    processed_records: processed,
    successful_records: successful,
    failed_records: failed,
    total_records: total,
  });

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_runner');
    js = await JetStreamClient.connect(
      defaultMessagingConfig({
        servers: NATS_URL,
        prefix: `t${randomBytes(5).toString('hex')}`,
        name: 'import-runner-spec',
      }),
    );
    server = http.createServer((req, res) => {
      requested.push(req.url ?? '');
      const file = files.get(req.url ?? '');
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      serve(res, file).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    if (js) {
      for (const name of [js.subjects.tasksStream, js.subjects.dlqStream]) {
        await js.jsm.streams.delete(name).catch(() => undefined);
      }
      await js.close();
    }
    await db?.drop();
  });

  describe('a clean file', () => {
    it('writes every row exactly, checkpoints the total, and announces started → progress… → completed', async () => {
      const csv =
        'event_id,event_name,external_customer_id,timestamp,source,properties.plan,extra\n' +
        'evt-a,api_call,cust-1,2024-01-31T12:00:00+02:00,sdk,pro,x\n' +
        ',login,cust-2,2024-02-01T00:00:00Z,,,y\n' +
        Array.from({ length: 248 }, (_, i) => `evt-${i},bulk,cust-3,2024-03-01T00:00:00Z,,,`).join(
          '\n',
        );
      const task = await newTask(csv);
      await runner().run(task, { signal: new AbortController().signal });

      const rows: Array<Record<string, unknown>> = await db.ds.query(
        `SELECT id, tenant_id, event_name, external_customer_id, customer_id,
                to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS ts,
                source, properties, task_id
         FROM events WHERE environment_id = $1 ORDER BY id`,
        [task.environment_id],
      );
      expect(rows).toHaveLength(250);
      const derived = derivedId('event', idTime(task.task_id), `${task.task_id}:3`);
      const byId = new Map(rows.map((r) => [r['id'], r]));
      expect(byId.get('evt-a')).toEqual({
        id: 'evt-a',
        tenant_id: 'tenant_runner',
        event_name: 'api_call',
        external_customer_id: 'cust-1',
        customer_id: null,
        ts: '2024-01-31T10:00:00',
        source: 'sdk',
        properties: { plan: 'pro' },
        task_id: task.task_id,
      });
      expect(byId.get(derived)).toEqual(
        expect.objectContaining({ event_name: 'login', source: null, properties: {} }),
      );
      expect(byId.get('evt-247')).toEqual(
        expect.objectContaining({ event_name: 'bulk', ts: '2024-03-01T00:00:00' }),
      );

      expect(await checkpoint(task.task_id)).toEqual(
        expect.objectContaining({ processed: '250', successful: '250', total_records: '250' }),
      );
      const events = await statusEvents(task.task_id);
      expect(events.map((e) => [e.kind, e.seq])).toEqual([
        ['started', 1],
        ['progress', 2],
        ['progress', 3],
        ['completed', 4],
      ]);
      expectMonotonic(events);
      expect(events[0].counters).toEqual(counters(0, 0, 0, null));
      expect(events[1].counters).toEqual(counters(100, 100, 0, null));
      const done = events[3];
      expect(done).toEqual(
        expect.objectContaining({
          task_id: task.task_id,
          counters: counters(250, 250, 0, 250),
          error_summary: null,
          metadata: { ignored_columns: ['extra'], duplicates: 0 },
        }),
      );
      expect(requestsFor(task)).toBe(1);
    });

    it('with two writers, upserts customers changed again in a neighbouring batch in file order', async () => {
      const rows = ['external_id,name,email'];
      for (let i = 0; i < 1000; i++) rows.push(`c-${i},first ${i},a${i}@example.com`);
      for (let i = 999; i >= 0; i--) rows.push(`c-${i},second ${i},`);
      const task = await newTask(rows.join('\n') + '\n', { entity: EntityType.CUSTOMERS });
      await runner({ batchSize: 100, writers: 2 }).run(task, {
        signal: new AbortController().signal,
      });
      expect(await checkpoint(task.task_id)).toEqual(
        expect.objectContaining({ processed: '2000', successful: '2000', failed: '0' }),
      );
      const [c]: Array<{ n: string; second: string; emails: string }> = await db.ds.query(
        `SELECT count(*) AS n, count(*) FILTER (WHERE name LIKE 'second %') AS second,
                count(email) AS emails
         FROM customers WHERE environment_id = $1`,
        [task.environment_id],
      );
      // The later row of each customer wins, and its blank email cleared the earlier one.
      expect([c.n, c.second, c.emails].map(Number)).toEqual([1000, 1000, 0]);
    });

    it('also ends a batch at batchChars characters of cells, so huge rows make small batches', async () => {
      const task = await newTask(eventsCsv(0, 1000));
      // A row here has about 40 characters of cells: 4,000 characters is about 100 rows.
      await runner({ batchSize: 100_000, batchChars: 4_000 }).run(task, {
        signal: new AbortController().signal,
      });
      const progress = (await statusEvents(task.task_id)).filter((e) => e.kind === 'progress');
      expect(progress.length).toBeGreaterThanOrEqual(8);
      expect(progress.length).toBeLessThanOrEqual(12);
      expect(await eventCount(task)).toBe(1000);
    });

    it('with two writers, counts ids repeated across neighbouring batches once each, in file order', async () => {
      // Rows 1000..1999 repeat the ids of rows 999..0 (reversed), so two batches in flight want
      // the same keys in opposite orders: the lock wait must end in a one-writer rewrite.
      const rows = [HEADER];
      for (let i = 0; i < 1000; i++) rows.push(`evt-${i},first,cust-1,2024-01-31T12:00:00Z,${i}`);
      for (let i = 999; i >= 0; i--) rows.push(`evt-${i},again,cust-1,2024-01-31T12:00:00Z,${i}`);
      const task = await newTask(rows.join('\n') + '\n');
      await runner({ batchSize: 100, writers: 2 }).run(task, {
        signal: new AbortController().signal,
      });
      expect(await checkpoint(task.task_id)).toEqual(
        expect.objectContaining({
          processed: '2000',
          successful: '2000',
          failed: '0',
          duplicates: '1000',
          total_records: '2000',
        }),
      );
      const [{ n, first }]: Array<{ n: string; first: string }> = await db.ds.query(
        `SELECT count(*) AS n, count(*) FILTER (WHERE event_name = 'first') AS first
         FROM events WHERE environment_id = $1`,
        [task.environment_id],
      );
      expect([Number(n), Number(first)]).toEqual([1000, 1000]);
      expectMonotonic(await statusEvents(task.task_id));
    });

    it('commits a batch per batchSize records, and a file of only a header completes with zeros', async () => {
      const task = await newTask(eventsCsv(0, 1000));
      await runner({ batchSize: 100 }).run(task, { signal: new AbortController().signal });
      const events = await statusEvents(task.task_id);
      // 10 full batches, then a last commit of none that sets the total.
      expect(events.filter((e) => e.kind === 'progress')).toHaveLength(10);
      expect(events.at(-1)?.counters).toEqual(counters(1000, 1000, 0, 1000));
      expectMonotonic(events);
      expect(await eventCount(task)).toBe(1000);

      const empty = await newTask(`${HEADER}\r\n`);
      await runner().run(empty, { signal: new AbortController().signal });
      const news = await statusEvents(empty.task_id);
      expect(news.map((e) => e.kind)).toEqual(['started', 'completed']);
      expect(news[1].counters).toEqual(counters(0, 0, 0, 0));
    });

    it('also commits on time, not only per batch, while a slow file trickles in', async () => {
      const task = await newTask({ body: eventsCsv(0, 3000), chunkBytes: 16 * 1024, delayMs: 40 });
      await runner({ batchSize: 100_000, progressIntervalMs: 100 }).run(task, {
        signal: new AbortController().signal,
      });
      const events = await statusEvents(task.task_id);
      expect(events.filter((e) => e.kind === 'progress').length).toBeGreaterThanOrEqual(1);
      expect(events.at(-1)?.counters).toEqual(counters(3000, 3000, 0, 3000));
      expectMonotonic(events);
    });
  });

  describe('rejected rows', () => {
    it('keeps each with its true line (after a quoted multi-line field) and sums them up', async () => {
      const csv = [
        'event_name,external_customer_id,timestamp,properties.note', // line 1
        'api_call,c1,2024-01-01T00:00:00Z,"a note', // line 2, a record over lines 2–4
        'over three',
        'lines, with a comma"',
        ',c2,2024-01-01T00:00:00Z,x', // 5: event_name missing
        'api_call,c3,yesterday,x', // 6: bad timestamp
        '', // 7: a blank line is no record
        'api_call,c4,2024-01-01T00:00:00Z,x', // 8: fine
        'api_call,c5', // 9: too few cells
        'api_call,,2024-01-01T00:00:00Z,"quoted, ok"', // 10: external_customer_id missing
      ].join('\r\n');
      const task = await newTask(csv);
      await runner({ batchSize: 2 }).run(task, { signal: new AbortController().signal });

      const errors: Array<{ row_number: string; error_code: string; raw: Record<string, string> }> =
        await db.ds.query(
          'SELECT row_number, error_code, raw FROM task_row_errors WHERE task_id = $1 ORDER BY row_number',
          [task.task_id],
        );
      expect(errors.map((e) => [Number(e.row_number), e.error_code])).toEqual([
        [5, 'required'],
        [6, 'invalid_value'],
        [9, 'malformed_row'],
        [10, 'required'],
      ]);
      expect(errors[1].raw).toEqual({
        event_name: 'api_call',
        external_customer_id: 'c3',
        timestamp: 'yesterday',
        'properties.note': 'x',
      });
      expect(await eventCount(task)).toBe(2);

      const events = await statusEvents(task.task_id);
      expectMonotonic(events);
      const done = events.at(-1);
      expect(done?.kind).toBe('completed');
      expect(done?.counters).toEqual(counters(6, 2, 4, 6));
      expect(done?.error_summary).toMatch(
        /^row 5: event_name is required; row 6: timestamp "yesterday" is not an RFC 3339 time [^;]+; row 9: [^;]+; row 10: external_customer_id is required$/,
      );
    });

    it('keeps the first 10 in the summary, in file order across batches, and counts the rest', async () => {
      const task = await newTask(eventsCsv(0, 300, 20)); // rows 0, 20, …, 280 lack event_name
      await runner({ batchSize: 7 }).run(task, { signal: new AbortController().signal });
      const done = (await statusEvents(task.task_id)).at(-1);
      expect(done?.counters).toEqual(counters(300, 285, 15, 300));
      const lines = Array.from(
        { length: 10 },
        (_, k) => `row ${k * 20 + 2}: event_name is required`,
      );
      expect(done?.error_summary).toBe(`${lines.join('; ')}; … and 5 more`);
      const [{ n }]: Array<{ n: string }> = await db.ds.query(
        'SELECT count(*) AS n FROM task_row_errors WHERE task_id = $1',
        [task.task_id],
      );
      expect(Number(n)).toBe(15);
    });
  });

  describe('problems with the file as a whole', () => {
    const failedWith = async (task: TaskCreatedEvent): Promise<TaskStatusEvent> => {
      await expect(
        runner().run(task, { signal: new AbortController().signal }),
      ).resolves.toBeUndefined();
      const events = await statusEvents(task.task_id);
      expectMonotonic(events);
      const last = events.at(-1);
      expect(last?.kind).toBe('failed');
      expect(events.filter((e) => e.kind === 'failed')).toHaveLength(1);
      expect(await eventCount(task)).toBe(0);
      return last as TaskStatusEvent;
    };

    it('fails the task at once when a required column is missing', async () => {
      const failed = await failedWith(await newTask('event_name,customer\napi_call,c1\n'));
      expect(failed.error_summary).toMatch(/required column external_customer_id/);
      expect(failed.counters).toEqual(counters(0, 0, 0, null));
    });

    it('fails an empty file', async () => {
      const failed = await failedWith(await newTask(''));
      expect(failed.error_summary).toBe('The file is empty: a CSV needs a header row');
    });

    it('fails a file the server does not have (HTTP 404) without a started event', async () => {
      const task = await newTask('unused');
      files.delete(new URL(task.file_url).pathname);
      const failed = await failedWith(task);
      expect(failed.seq).toBe(1);
      expect(failed.error_summary).toMatch(/returned HTTP 404 Not Found/);
    });

    it('fails a file that is not its declared type, and a binary file declared as CSV', async () => {
      const jsonAsCsv = await failedWith(await newTask('[{"event_name":"a"}]'));
      expect(jsonAsCsv.error_summary).toMatch(/looks like JSON .*declares file_type CSV/);
      const csvAsJson = await failedWith(
        await newTask('event_name,external_customer_id\na,b\n', { fileType: FileType.JSON }),
      );
      expect(csvAsJson.error_summary).toMatch(/the file is not JSON: it starts with "e"/);
      const binary = await failedWith(
        await newTask({ body: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00]) }),
      );
      expect(binary.error_summary).toMatch(/not a CSV text file/);
    });

    it('throws a retryable error when the server fails (HTTP 500), announcing nothing', async () => {
      const task = await newTask({ body: 'oops', status: 500 });
      const err: unknown = await runner()
        .run(task, { signal: new AbortController().signal })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FerryError);
      expect(isRetryable(err)).toBe(true);
      expect((err as FerryError).message).toMatch(/HTTP 500/);
      expect(await statusEvents(task.task_id)).toEqual([]);
    });
  });

  describe('deliveries with nothing (left) to do', () => {
    it.each([TaskStatus.COMPLETED, TaskStatus.FAILED])(
      'does nothing for a task already %s',
      async (status) => {
        const task = await newTask(eventsCsv(0, 10), { status });
        await runner().run(task, { signal: new AbortController().signal });
        expect(requestsFor(task)).toBe(0);
        expect(await statusEvents(task.task_id)).toEqual([]);
        expect(await checkpoint(task.task_id)).toBeUndefined();
      },
    );

    it('does nothing for the message of an earlier attempt', async () => {
      const task = await newTask(eventsCsv(0, 10), { attempt: 2 });
      await runner().run({ ...task, attempt: 1 }, { signal: new AbortController().signal });
      expect(requestsFor(task)).toBe(0);
      expect(await checkpoint(task.task_id)).toBeUndefined();
    });

    it('republishes completed from a checkpoint at the end without reading the file', async () => {
      const task = await newTask(eventsCsv(0, 10));
      await db.ds.query(
        `INSERT INTO import_checkpoints
           (task_id, part, next_record, processed, successful, failed, duplicates, total_records, seq, error_samples)
         VALUES ($1, 0, 10, 10, 9, 1, 2, 10, 5, $2::jsonb)`,
        [task.task_id, JSON.stringify([{ row_number: 4, message: 'event_name is required' }])],
      );
      await runner().run(task, { signal: new AbortController().signal });
      expect(requestsFor(task)).toBe(0);
      const events = await statusEvents(task.task_id);
      expect(events).toEqual([
        expect.objectContaining({
          kind: 'completed',
          seq: 6, // a new seq: the projection applies it even if it saw seq 5 (re-drive, late cancel)
          counters: counters(10, 9, 1, 10),
          error_summary: 'row 4: event_name is required',
          metadata: { duplicates: 2 },
        }),
      ]);
    });
  });

  describe('interrupted and concurrent deliveries', () => {
    it('resumes an aborted run from its checkpoint: every row once, counters exact, seq continuing', async () => {
      const total = 8000;
      const task = await newTask({
        body: eventsCsv(0, total, 500),
        chunkBytes: 8 * 1024,
        delayMs: 15,
      });
      const first = new AbortController();
      let progress = 0;
      const stop = watchStatus(task.task_id, (e) => {
        if (e.kind === 'progress' && ++progress === 2) first.abort(new Error('worker stopping'));
      });
      const err: unknown = await runner()
        .run(task, { signal: first.signal })
        .catch((e: unknown) => e);
      stop();
      expect((err as Error).message).toBe('worker stopping');
      expect(isRetryable(err)).toBe(true);

      const cut = await checkpoint(task.task_id);
      const committed = Number(cut?.processed);
      expect(committed).toBeGreaterThanOrEqual(200);
      expect(committed).toBeLessThan(total);
      expect(await eventCount(task)).toBe(Number(cut?.successful));
      const before = await statusEvents(task.task_id);
      const lastSeq = Math.max(...before.map((e) => e.seq));
      expect(lastSeq).toBe(Number(cut?.seq));

      await runner().run(task, { signal: new AbortController().signal });
      const events = await statusEvents(task.task_id);
      expectMonotonic(events);
      const after = events.slice(before.length);
      expect(after[0]).toEqual(expect.objectContaining({ kind: 'started', seq: lastSeq + 1 }));
      expect(after[0].counters.processed_records).toBe(committed);
      const bad = total / 500;
      const done = events.at(-1);
      expect(done?.kind).toBe('completed');
      expect(done?.counters).toEqual(counters(total, total - bad, bad, total));
      expect(done?.metadata).toEqual({ ignored_columns: [], duplicates: 0 });
      expect(done?.error_summary).toMatch(
        /^row 2: event_name is required; row 502: .*; … and 6 more$/,
      );
      expect(await eventCount(task)).toBe(total - bad);
      const [{ n }]: Array<{ n: string }> = await db.ds.query(
        'SELECT count(*) AS n FROM task_row_errors WHERE task_id = $1',
        [task.task_id],
      );
      expect(Number(n)).toBe(bad);
    });

    it('lets a batch that is still committing finish before an aborted run() rejects', async () => {
      const controller = new AbortController();
      const base = IMPORT_DEFINITIONS.get(EntityType.EVENTS) as EntityImportDefinition<unknown>;
      let writes = 0;
      const slow: Definitions = new Map([
        [
          EntityType.EVENTS,
          {
            ...base,
            writeBatch: async (client, records, scope) => {
              if (++writes === 3) controller.abort(new Error('worker stopping'));
              if (writes >= 3) await sleep(40); // a slow database: each batch takes a while
              return base.writeBatch(client, records, scope);
            },
          },
        ],
      ]);
      const task = await newTask(eventsCsv(0, 8000));
      await expect(runner({}, slow).run(task, { signal: controller.signal })).rejects.toThrow(
        'worker stopping',
      );

      const atReject = await checkpoint(task.task_id);
      const eventsAtReject = (await statusEvents(task.task_id)).length;
      await sleep(300);
      expect(await checkpoint(task.task_id)).toEqual(atReject);
      expect(await statusEvents(task.task_id)).toHaveLength(eventsAtReject);
      expect(Number(atReject?.processed)).toBeGreaterThan(0);
      expect(Number(atReject?.processed)).toBeLessThan(8000);
    });

    it('resumes a JSON file from its checkpoint by element position, keeping its columns for /errors', async () => {
      const total = 3000;
      const lines = Array.from({ length: total }, (_, i) =>
        i === 1
          ? `{"event_id": "j-${i}", "event_name": "e", "external_customer_id": "c", "legacy": 1}`
          : i % 300 === 0
            ? `{"event_id": "j-${i}", "external_customer_id": "c"}`
            : `{"event_id": "j-${i}", "event_name": "e", "external_customer_id": "c", "properties": {"n": ${i}, "big": 12345678901234567890}}`,
      );
      const task = await newTask(
        { body: `[\n${lines.join(',\n')}\n]`, chunkBytes: 8 * 1024, delayMs: 15 },
        { fileType: FileType.JSON },
      );
      const first = new AbortController();
      let progress = 0;
      const stop = watchStatus(task.task_id, (e) => {
        if (e.kind === 'progress' && ++progress === 2) first.abort(new Error('worker stopping'));
      });
      await runner()
        .run(task, { signal: first.signal })
        .catch(() => undefined);
      stop();
      const cut = Number((await checkpoint(task.task_id))?.processed);
      expect(cut).toBeGreaterThan(0);
      expect(cut).toBeLessThan(total);

      await runner().run(task, { signal: new AbortController().signal });
      const done = (await statusEvents(task.task_id)).at(-1);
      expect(done?.counters).toEqual(counters(total, total - 10, 10, total));
      // Only element 2 has `legacy`, committed before the cut: the resumed delivery still names it.
      expect(done?.metadata).toEqual({ ignored_columns: ['legacy'], duplicates: 0 });
      expect(done?.error_summary).toMatch(
        /^row 1: event_name is required \(the element has no such key\); row 301:/,
      );
      expect(await eventCount(task)).toBe(total - 10);
      const [row]: Array<{ properties: unknown }> = await db.ds.query(
        `SELECT properties::text AS properties FROM events WHERE environment_id = $1 AND id = 'j-7'`,
        [task.environment_id],
      );
      expect(row.properties).toBe('{"n": 7, "big": 12345678901234567890}');
      const [cp]: Array<{ columns: string[] }> = await db.ds.query(
        'SELECT columns FROM import_checkpoints WHERE task_id = $1',
        [task.task_id],
      );
      expect(cp.columns).toEqual([
        'event_id',
        'external_customer_id',
        'event_name',
        'legacy',
        'properties',
      ]);
    });

    it('imports each row once when two deliveries start together, and the loser lets go of the file', async () => {
      let release = (): void => undefined;
      const bothAsked = new Promise<void>((resolve) => (release = resolve));
      const task = await newTask({ body: eventsCsv(0, 3000), hold: bothAsked });
      const signals = [new AbortController().signal, new AbortController().signal];
      const runs = signals.map((signal) => runner().run(task, { signal }));
      // Both have opened the checkpoint before either can take a sequence number.
      await waitFor(() => requestsFor(task) === 2, 'both requests');
      release();
      await Promise.all(runs);

      expect(await eventCount(task)).toBe(3000);
      const events = await statusEvents(task.task_id);
      expect(events.filter((e) => e.kind === 'started')).toHaveLength(1);
      expect(events.filter((e) => e.kind === 'completed')).toHaveLength(1);
      expect(events.at(-1)?.counters).toEqual(counters(3000, 3000, 0, 3000));
      expect(events.at(-1)?.metadata).toEqual(expect.objectContaining({ duplicates: 0 }));
      // An unread response left open would keep its abort listener (and socket) forever.
      await waitFor(
        () => signals.every((s) => getEventListeners(s, 'abort').length === 0),
        'both files to be released',
        2_000,
      );
    });

    it('imports each row once when a second delivery joins a running one', async () => {
      const total = 6000;
      const task = await newTask({ body: eventsCsv(0, total), chunkBytes: 8 * 1024, delayMs: 10 });
      const runs: Array<Promise<void>> = [];
      let progress = 0;
      const stop = watchStatus(task.task_id, (e) => {
        if (e.kind === 'progress' && ++progress === 2) {
          runs.push(runner().run(task, { signal: new AbortController().signal }));
        }
      });
      runs.push(runner().run(task, { signal: new AbortController().signal }));
      await waitFor(() => runs.length === 2, 'the second delivery');
      await Promise.all(runs);
      stop();

      expect(await eventCount(task)).toBe(total);
      const events = await statusEvents(task.task_id);
      expect(new Set(events.map((e) => e.seq)).size).toBe(events.length);
      // Publishes of two workers may interleave; the status service orders by seq.
      expectMonotonic([...events].sort((a, b) => a.seq - b.seq));
      expect(events.filter((e) => e.kind === 'completed')).toHaveLength(1);
      const cp = await checkpoint(task.task_id);
      expect(cp).toEqual(
        expect.objectContaining({
          processed: `${total}`,
          duplicates: '0',
          total_records: `${total}`,
        }),
      );
    });
  });

  describe('cancel and retry (docs/API.md §3)', () => {
    it('stops within seconds of a cancel, keeps what it committed, and a retry resumes: each row once', async () => {
      const total = 6000;
      const task = await newTask({ body: eventsCsv(0, total), chunkBytes: 8 * 1024, delayMs: 20 });
      let progress = 0;
      let cancelledAt = 0;
      const stop = watchStatus(task.task_id, (e) => {
        if (e.kind === 'progress' && ++progress === 2) {
          cancelledAt = Date.now();
          void db.ds.query(`UPDATE tasks SET task_status = 'FAILED' WHERE id = $1`, [task.task_id]);
        }
      });
      await runner({ cancelCheckMs: 200 }).run(task, { signal: new AbortController().signal });
      stop();
      expect(cancelledAt).toBeGreaterThan(0);
      expect(Date.now() - cancelledAt).toBeLessThan(5_000);
      const atCancel = await checkpoint(task.task_id);
      expect(Number(atCancel?.processed)).toBeLessThan(total);
      expect(atCancel?.total_records).toBeNull();
      expect(await eventCount(task)).toBe(Number(atCancel?.processed));
      await sleep(300);
      expect(await checkpoint(task.task_id)).toEqual(atCancel);

      // A late message of the cancelled attempt does nothing; the retry's message resumes.
      await db.ds.query(`UPDATE tasks SET task_status = 'PROCESSING', attempt = 1 WHERE id = $1`, [
        task.task_id,
      ]);
      await runner().run(task, { signal: new AbortController().signal });
      expect(await checkpoint(task.task_id)).toEqual(atCancel);
      await runner().run({ ...task, attempt: 1 }, { signal: new AbortController().signal });
      expect(await eventCount(task)).toBe(total);
      expect(await checkpoint(task.task_id)).toEqual(
        expect.objectContaining({
          processed: `${total}`,
          duplicates: '0',
          total_records: `${total}`,
        }),
      );
      const events = await statusEvents(task.task_id);
      expect(events.at(-1)).toMatchObject({
        kind: 'completed',
        counters: counters(total, total, 0, total),
      });
    });

    it('notices a cancel while the download is stalled and no batch commits', async () => {
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      const task = await newTask({ body: eventsCsv(0, 100), hold: held });
      const run = runner({ cancelCheckMs: 100 }).run(task, {
        signal: new AbortController().signal,
      });
      await waitFor(() => requestsFor(task) === 1, 'the request');
      await db.ds.query(`UPDATE tasks SET task_status = 'FAILED' WHERE id = $1`, [task.task_id]);
      const t0 = Date.now();
      await run;
      expect(Date.now() - t0).toBeLessThan(2_000);
      release();
      expect(await eventCount(task)).toBe(0);
    });
  });
});
