// Spec helper of the import runner's specs (import.runner and import-batch.loop): a runner on
// its own database, NATS prefix and loopback file server, and what the specs read back.
import { randomBytes } from 'crypto';
import * as http from 'http';

import type { AddressInfo } from 'net';

import {
  EntityType,
  FileType,
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
import { ImportRunner, type ImportSettings } from '../pipeline/import.runner';
import { StatusPublisher } from '../pipeline/status.publisher';

const NATS_URL = process.env['FERRY_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
export const HEADER = 'event_id,event_name,external_customer_id,timestamp,properties.n';
export type Definitions = ReadonlyMap<EntityType, EntityImportDefinition<unknown>>;

/** How the loopback file server answers one path. */
export interface ServedFile {
  body: string | Buffer;
  status?: number;
  /** Sends the body in pieces of this size, `delayMs` apart (a slow server). */
  chunkBytes?: number;
  delayMs?: number;
  /** The response head waits for this (to line two requests up). */
  hold?: Promise<void>;
  /** Serves byte ranges (Accept-Ranges, Content-Length, 206), as object stores do. */
  ranges?: boolean;
  /** The ETag sent with `ranges`; a Range with another If-Range gets the whole file (200). */
  etag?: string;
}

export interface CheckpointRow {
  next_record: string;
  processed: string;
  successful: string;
  failed: string;
  duplicates: string;
  total_records: string | null;
  seq: string;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitFor(
  check: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Rows `from..to-1`; every row whose number is a multiple of `badEvery` lacks its event_name. */
export function eventsCsv(from: number, to: number, badEvery = 0): string {
  const rows = [HEADER];
  for (let i = from; i < to; i++) {
    const name = badEvery > 0 && i % badEvery === 0 ? '' : 'api_call';
    rows.push(`evt-${i},${name},cust-${i % 7},2024-01-31T12:00:00Z,${i}`);
  }
  return rows.join('\n') + '\n';
}

/** Seq strictly increasing in `events`' order, and no counter ever smaller than before. */
export function expectMonotonic(events: TaskStatusEvent[]): void {
  for (let i = 1; i < events.length; i++) {
    const [a, b] = [events[i - 1], events[i]];
    expect(b.seq).toBeGreaterThan(a.seq);
    expect(b.counters.processed_records).toBeGreaterThanOrEqual(a.counters.processed_records);
    expect(b.counters.successful_records).toBeGreaterThanOrEqual(a.counters.successful_records);
    expect(b.counters.failed_records).toBeGreaterThanOrEqual(a.counters.failed_records);
  }
}

export const counters = (
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

/** A spec's new task: defaults are a PENDING EVENTS CSV of attempt 0 in an environment of its own. */
export interface NewTaskOptions {
  fileType?: FileType;
  status?: TaskStatus;
  attempt?: number;
  entity?: EntityType;
  metadata?: Record<string, unknown>;
  /** Another task's environment, to import into the same one. */
  environmentId?: string;
}

/** What an import spec works with; `db` is there once the spec's beforeAll has run. */
export interface ImportRunnerHarness {
  readonly db: TestDatabase;
  /** The loopback server's files, by path. */
  files: Map<string, ServedFile>;
  runner(overrides?: Partial<ImportSettings>, defs?: Definitions): ImportRunner;
  /** Puts `file` on the file server and a task for it in the tasks table (PENDING by default). */
  newTask(file: ServedFile | string, opts?: NewTaskOptions): Promise<TaskCreatedEvent>;
  /** How often the task's file was requested. */
  requestsFor(task: TaskCreatedEvent): number;
  /** The task's status events as the TASKS stream stored them, in stream order. */
  statusEvents(taskId: string): Promise<TaskStatusEvent[]>;
  /** Calls `fn` with each status event of the task as it is published; returns the stop. */
  watchStatus(taskId: string, fn: (e: TaskStatusEvent) => void): () => void;
  checkpoint(taskId: string): Promise<CheckpointRow | undefined>;
  /** Events the task imported. */
  eventCount(task: TaskCreatedEvent): Promise<number>;
}

/**
 * Sets up (beforeAll) and tears down (afterAll) an import runner's world for one spec file:
 * a test database named after `name`, a NATS stream prefix of its own, a loopback HTTP server.
 */
export function importRunnerHarness(name: string): ImportRunnerHarness {
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

  async function serve(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    file: ServedFile,
  ): Promise<void> {
    if (file.hold) await file.hold;
    let body = typeof file.body === 'string' ? Buffer.from(file.body) : file.body;
    if (file.ranges) {
      const etag = file.etag ?? '"v1"';
      const head = { 'content-type': 'text/csv', 'accept-ranges': 'bytes', etag };
      const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      const ifRange = req.headers['if-range'];
      if (range && (ifRange === undefined || ifRange === etag)) {
        const [from, to] = [Number(range[1]), Math.min(Number(range[2]), body.length - 1)];
        const total = body.length;
        body = body.subarray(from, to + 1);
        res.writeHead(206, {
          ...head,
          'content-length': body.length,
          'content-range': `bytes ${from}-${to}/${total}`,
        });
      } else res.writeHead(file.status ?? 200, { ...head, 'content-length': body.length });
    } else res.writeHead(file.status ?? 200, { 'content-type': 'text/csv' });
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
    opts: NewTaskOptions = {},
  ): Promise<TaskCreatedEvent> {
    const taskId = newId('task');
    const path = `/${taskId}.csv`;
    files.set(path, typeof file === 'string' ? { body: file } : file);
    const event: TaskCreatedEvent = {
      task_id: taskId,
      tenant_id: 'tenant_runner',
      // Its own environment per task, so the same event_id in two tests never collides.
      environment_id: opts.environmentId ?? `env_${randomBytes(6).toString('hex')}`,
      task_type: TaskType.IMPORT,
      entity_type: opts.entity ?? EntityType.EVENTS,
      file_type: opts.fileType ?? FileType.CSV,
      file_url: `${baseUrl}${path}`,
      metadata: opts.metadata ?? {},
      attempt: opts.attempt ?? 0,
    };
    await db.ds.query(
      `INSERT INTO tasks (id, tenant_id, environment_id, task_type, entity_type, file_type, file_url,
                          task_status, attempt, metadata)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
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
        JSON.stringify(opts.metadata ?? {}),
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
       FROM task_checkpoints WHERE task_id = $1 AND part = 0`,
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

  beforeAll(async () => {
    db = await createTestDatabase(name);
    js = await JetStreamClient.connect(
      defaultMessagingConfig({
        servers: NATS_URL,
        prefix: `t${randomBytes(5).toString('hex')}`,
        name,
      }),
    );
    server = http.createServer((req, res) => {
      requested.push(req.url ?? '');
      const file = files.get(req.url ?? '');
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      serve(req, res, file).catch(() => res.destroy());
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

  return {
    get db() {
      return db;
    },
    files,
    runner,
    newTask,
    requestsFor,
    statusEvents,
    watchStatus,
    checkpoint,
    eventCount,
  };
}
