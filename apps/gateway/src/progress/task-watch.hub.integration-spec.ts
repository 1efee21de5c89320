import { randomBytes } from 'crypto';

import {
  EntityType,
  FileType,
  newId,
  TaskStatus,
  type TaskStatusEvent,
  TaskType,
} from '@ferry/contracts';
import { defaultMessagingConfig, JetStreamClient } from '@ferry/messaging';
import { TaskEntity } from '@ferry/persistence';
import { createTestDatabase, type TestDatabase } from '@ferry/persistence/testing';

import type { ProgressSnapshot } from './task-progress';
import { type TaskWatcher, TaskWatchHub } from './task-watch.hub';

/** Runs against the real NATS and PostgreSQL, on its own subject prefix and database. */
const NATS_URL = process.env['FERRY_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

interface Frame {
  event: string;
  data?: unknown;
}

/** A watcher that records the frames it was sent, parsed. */
class RecordingWatcher implements TaskWatcher {
  readonly raw: string[] = [];
  ended = false;

  write(frame: string): void {
    this.raw.push(frame);
  }

  end(): void {
    this.ended = true;
  }

  get frames(): Frame[] {
    return this.raw
      .filter((f) => !f.startsWith(':'))
      .map((f) => {
        const event = /^event: (.*)$/m.exec(f)?.[1] ?? 'message';
        const data = /^data: (.*)$/m.exec(f)?.[1];
        return { event, data: data === undefined ? undefined : JSON.parse(data) };
      });
  }

  get progress(): ProgressSnapshot[] {
    return this.frames.filter((f) => f.event === 'progress').map((f) => f.data as ProgressSnapshot);
  }
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('TaskWatchHub', () => {
  let db: TestDatabase;
  let client: JetStreamClient;
  let loads: number;
  let hub: TaskWatchHub;

  const makeHub = (pollMs = 60_000, heartbeatMs = 60_000, settleMs = 0) =>
    new TaskWatchHub(
      client.nc,
      client.subjects,
      (id) => {
        loads += 1;
        return db.ds.getRepository(TaskEntity).findOneBy({ id });
      },
      { pollMs, heartbeatMs, settleMs },
    );

  beforeAll(async () => {
    db = await createTestDatabase('ferry_hub');
    client = await JetStreamClient.connect(
      defaultMessagingConfig({
        servers: NATS_URL,
        prefix: `hub${randomBytes(4).toString('hex')}`,
        name: 'hub-spec',
      }),
    );
  });

  afterAll(async () => {
    for (const name of [client.subjects.tasksStream, client.subjects.dlqStream]) {
      await client.jsm.streams.delete(name).catch(() => undefined);
    }
    await client.close();
    await db.drop();
  });

  beforeEach(() => {
    loads = 0;
    hub = makeHub();
  });

  afterEach(() => hub.onModuleDestroy());

  async function insertTask(over: Partial<TaskEntity> = {}): Promise<string> {
    const id = newId('task');
    const repo = db.ds.getRepository(TaskEntity);
    await repo.save(
      repo.create({
        id,
        tenant_id: 'tenant_a',
        environment_id: 'env_a',
        task_type: TaskType.IMPORT,
        entity_type: EntityType.EVENTS,
        file_type: FileType.CSV,
        file_url: 'http://files/x.csv',
        ...over,
      }),
    );
    return id;
  }

  const event = (
    taskId: string,
    seq: number,
    processed: number,
    kind: TaskStatusEvent['kind'] = 'progress',
    total: number | null = null,
  ): TaskStatusEvent => ({
    task_id: taskId,
    kind,
    seq,
    at: new Date().toISOString(),
    counters: {
      processed_records: processed,
      successful_records: processed,
      failed_records: 0,
      total_records: total,
    },
  });

  /** Published through JetStream, as workers do; the hub's core subscription must see it. */
  const publish = (e: TaskStatusEvent) =>
    client.publish(client.subjects.taskStatus(e.task_id), e, { msgID: `${e.task_id}:${e.seq}` });

  it('sends the current state at once, then fans every event out to all watchers from one subscription', async () => {
    const id = await insertTask();
    const a = new RecordingWatcher();
    const b = new RecordingWatcher();
    hub.watch(id, a);
    await waitFor(() => a.progress.length === 1, 'the first snapshot');
    hub.watch(id, b);
    expect(b.progress).toHaveLength(1); // a late joiner gets the state at once, without a read
    expect(a.progress[0].task).toMatchObject({ id, task_status: 'PENDING', processed_records: 0 });
    expect(hub.stats()).toEqual({ tasks: 1, watchers: 2 });

    await publish(event(id, 1, 0, 'started'));
    await publish(event(id, 2, 10_000));
    await publish(event(id, 3, 20_000, 'completed', 20_000));
    await waitFor(() => a.ended && b.ended, 'the end of both streams');

    for (const w of [a, b]) {
      expect(w.progress.map((p) => p.seq)).toEqual([0, 1, 2, 3]);
      expect(w.progress.at(-1)).toMatchObject({ percent: 100, eta_seconds: 0 });
      expect(w.progress.at(-1)?.task).toMatchObject({
        task_status: 'COMPLETED',
        processed_records: 20_000,
        total_records: 20_000,
      });
      expect(w.frames.at(-1)).toEqual({ event: 'end', data: { task_status: 'COMPLETED' } });
    }
    expect(b.raw.slice(1)).toEqual(a.raw.slice(1)); // the same frames after its own first one
    expect(loads).toBe(1); // one row read for two watchers and three events
    expect(hub.stats()).toEqual({ tasks: 0, watchers: 0 });
  });

  it('never lets counters go backwards: stale, repeated and out-of-order events are dropped', async () => {
    const id = await insertTask({
      task_status: TaskStatus.PROCESSING,
      processed_records: 5000,
      last_seq: 3,
    });
    const w = new RecordingWatcher();
    hub.watch(id, w);
    await waitFor(() => w.progress.length === 1, 'the first snapshot');
    await publish(event(id, 2, 1000)); // older than the row
    await publish(event(id, 5, 9000));
    await publish(event(id, 4, 7000)); // arrives after a newer one
    await publish(event(id, 5, 9000)); // a repeat (a different msgID would be needed; core sees both)
    await client.nc.publish(client.subjects.taskStatus(id), 'not json');
    await publish(event(id, 6, 12_000));
    await waitFor(() => w.progress.length === 3, 'two applied events');
    await new Promise((r) => setTimeout(r, 200));
    const seen = w.progress.map((p) => [p.seq, p.task.processed_records]);
    expect(seen).toEqual([
      [3, 5000],
      [5, 9000],
      [6, 12_000],
    ]);
    expect(w.ended).toBe(false);
  });

  it('stops watching when the last watcher leaves, and starts afresh for the next one', async () => {
    const id = await insertTask();
    const a = new RecordingWatcher();
    const b = new RecordingWatcher();
    const stopA = hub.watch(id, a);
    const stopB = hub.watch(id, b);
    await waitFor(() => b.progress.length === 1, 'the first snapshot');
    stopA();
    expect(hub.stats()).toEqual({ tasks: 1, watchers: 1 });
    stopB();
    expect(hub.stats()).toEqual({ tasks: 0, watchers: 0 });
    await publish(event(id, 1, 100));
    await new Promise((r) => setTimeout(r, 200));
    expect(b.progress).toHaveLength(1); // nothing after leaving
    const c = new RecordingWatcher();
    hub.watch(id, c);
    await waitFor(() => c.progress.length === 1, 'a new snapshot');
    expect(loads).toBe(2);
  });

  it('ends at once for a task that has already ended, and for one that does not exist', async () => {
    const id = await insertTask({
      task_status: TaskStatus.FAILED,
      error_summary: 'cancelled',
    });
    const w = new RecordingWatcher();
    hub.watch(id, w);
    await waitFor(() => w.ended, 'the end');
    expect(w.frames.map((f) => f.event)).toEqual(['progress', 'end']);
    expect(w.progress[0].task).toMatchObject({ task_status: 'FAILED', error_summary: 'cancelled' });

    const ghost = new RecordingWatcher();
    hub.watch(newId('task'), ghost);
    await waitFor(() => ghost.ended, 'the end');
    expect(ghost.frames).toEqual([]);
    expect(hub.stats().tasks).toBe(0);
  });

  it('catches a change that came without an event by its shared safety poll, and sends heartbeats', async () => {
    hub.onModuleDestroy();
    hub = makeHub(150, 100);
    const id = await insertTask({ task_status: TaskStatus.PROCESSING });
    const started = Date.now();
    const a = new RecordingWatcher();
    const b = new RecordingWatcher();
    hub.watch(id, a);
    hub.watch(id, b);
    await waitFor(() => a.raw.some((f) => f.startsWith(': heartbeat')), 'a heartbeat');
    // A cancel writes the row directly (no status event); a missed event looks the same.
    await db.ds
      .getRepository(TaskEntity)
      .update(id, { task_status: TaskStatus.FAILED, error_summary: 'Cancelled by the user' });
    await waitFor(() => a.ended && b.ended, 'the end after the poll');
    expect(a.progress.at(-1)?.task).toMatchObject({
      task_status: 'FAILED',
      error_summary: 'Cancelled by the user',
    });
    // One read per poll for the task, however many watchers.
    expect(loads).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 150) + 1);
    expect(hub.stats().tasks).toBe(0);
  });

  it('ignores a poll that reads a row behind the events (the status service lagging the hub)', async () => {
    hub.onModuleDestroy();
    hub = makeHub(100);
    const id = await insertTask(); // stays PENDING at seq 0: no status service in this spec
    const w = new RecordingWatcher();
    hub.watch(id, w);
    await waitFor(() => w.progress.length === 1, 'the first snapshot');
    await publish(event(id, 1, 0, 'started'));
    await publish(event(id, 2, 2000));
    await waitFor(() => w.progress.length === 3, 'two events');
    const polls = loads;
    await waitFor(() => loads >= polls + 3, 'three more polls');
    expect(w.progress.map((p) => [p.task.task_status, p.task.processed_records])).toEqual([
      ['PENDING', 0],
      ['PROCESSING', 0],
      ['PROCESSING', 2000],
    ]);
  });

  it('computes percent and ETA when total_records is known, and a rate from the counters', async () => {
    const id = await insertTask({ task_status: TaskStatus.PROCESSING });
    const w = new RecordingWatcher();
    hub.watch(id, w);
    await waitFor(() => w.progress.length === 1, 'the first snapshot');
    expect(w.progress[0]).toMatchObject({
      percent: null,
      eta_seconds: null,
      rows_per_second: null,
    });
    await publish(event(id, 1, 1000, 'progress', 10_000));
    await new Promise((r) => setTimeout(r, 600));
    await publish(event(id, 2, 4000, 'progress', 10_000));
    await waitFor(() => w.progress.length === 3, 'two events');
    const last = w.progress[2];
    expect(last.percent).toBe(40);
    expect(last.rows_per_second).toBeGreaterThan(0);
    expect(last.eta_seconds).toBe(Math.round(6000 / (last.rows_per_second ?? 1)));
  });

  it('holds the end of the stream until the task row is final too (a GET right after it sees the end)', async () => {
    hub.onModuleDestroy();
    hub = makeHub(60_000, 60_000, 3000);
    const id = await insertTask({ task_status: TaskStatus.PROCESSING });
    const w = new RecordingWatcher();
    hub.watch(id, w);
    await waitFor(() => w.progress.length === 1, 'the first snapshot');
    await publish(event(id, 1, 500, 'completed', 500));
    await waitFor(() => w.progress.length === 2, 'the final state');
    expect(w.progress[1].task.task_status).toBe('COMPLETED');
    await new Promise((r) => setTimeout(r, 300));
    expect(w.ended).toBe(false); // the row still says PROCESSING: the status service lags
    await db.ds
      .getRepository(TaskEntity)
      .update(id, { task_status: TaskStatus.COMPLETED, processed_records: 500, last_seq: 1 });
    await waitFor(() => w.ended, 'the end once the row is final', 1000);
    expect(w.frames.at(-1)).toEqual({ event: 'end', data: { task_status: 'COMPLETED' } });

    // A row that never follows (the status service down) holds the end for settleMs at most.
    hub.onModuleDestroy();
    hub = makeHub(60_000, 60_000, 300);
    const stuck = await insertTask({ task_status: TaskStatus.PROCESSING });
    const v = new RecordingWatcher();
    hub.watch(stuck, v);
    await waitFor(() => v.progress.length === 1, 'the first snapshot');
    const sent = Date.now();
    await publish(event(stuck, 1, 5, 'completed', 5));
    await waitFor(() => v.ended, 'the end after the settle time', 2000);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(250);
  });
});
