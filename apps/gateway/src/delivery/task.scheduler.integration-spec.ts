import { Client } from 'pg';

import {
  EntityType,
  newId,
  parseExportSelection,
  parseWatermarkRange,
  Permission,
  ScheduleInterval,
  Subjects,
} from '@ferry/contracts';
import {
  ConnectionRepository,
  ScheduledTaskRepository,
  ScheduleRunRepository,
} from '@ferry/persistence';
import { createTestDatabase, type TestDatabase } from '@ferry/persistence/testing';
import { buildExportQuery, EXPORT_DEFINITIONS } from '@ferry/transfer';

import type { Principal } from '../auth/principal';
import { GatewayConfig } from '../gateway.config';
import { ScheduledTasksService } from '../schedules/scheduled-tasks.service';
import type { OutboxEntry, OutboxRelay } from './outbox.relay';
import { type Clock, TaskScheduler } from './task.scheduler';

/** The relay talks to NATS; here it only records (the outbox rows are in the database anyway). */
class RecordingRelay {
  readonly published: OutboxEntry[] = [];
  publishSoon(m: OutboxEntry): void {
    this.published.push(m);
  }
}

/** The scheduler's clock, moved by the test: no sleeps. */
class ManualClock implements Clock {
  constructor(private t: Date) {}
  now(): Date {
    return this.t;
  }
  advance(ms: number): void {
    this.t = new Date(this.t.getTime() + ms);
  }
}

const MIN = 60_000;
const HOUR = 60 * MIN;

interface RunRow {
  task_id: string;
  kind: string;
  window_start: Date;
  window_end: Date;
  metadata: Record<string, unknown>;
  file_url: string;
}

/**
 * The scheduler is durable and exact (docs/API.md §4, docs/ARCHITECTURE.md invariant 11): its
 * clock moves through a day and a half of intervals with a downtime in the middle, two scheduler
 * replicas tick at once on one database, writers commit events concurrently (one holds its
 * transaction open across a run, so its event commits late with an earlier `ingested_at`), and
 * then each run's rows are selected exactly as the exporter selects them.
 */
describe('TaskScheduler (two replicas, a moving clock, a downtime)', () => {
  // A day and a half of ticks on one database: seconds on a quiet machine, far more when the
  // machine is loaded; a timed-out test would go on ticking under the next one.
  jest.setTimeout(180_000);
  let db: TestDatabase;
  let clock: ManualClock;
  let relay: RecordingRelay;
  let replicas: TaskScheduler[];
  let service: ScheduledTasksService;
  const subjects = new Subjects('sched');
  const p: Principal = {
    keyId: newId('key'),
    tenantId: newId('tenant'),
    environmentId: newId('env'),
    userId: newId('user'),
    permissions: [Permission.TASK_READ, Permission.TASK_WRITE],
  };
  const writers: Client[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('ferry_sched');
    clock = new ManualClock(new Date('2026-03-01T00:07:00Z'));
    relay = new RecordingRelay();
    const config = Object.assign(new GatewayConfig(), {
      FERRY_SCHEDULE_MAX_CATCHUP: 1000,
      FERRY_SCHEDULE_RETRY_BACKOFF_MS: '60000,120000',
    });
    const runs = new ScheduleRunRepository(db.ds);
    // Two replicas: two schedulers on one database, as two gateways would run them.
    replicas = [0, 1].map(
      () => new TaskScheduler(runs, relay as unknown as OutboxRelay, subjects, config, clock),
    );
    service = new ScheduledTasksService(
      new ScheduledTaskRepository(db.ds),
      runs,
      new ConnectionRepository(db.ds, null),
      relay as unknown as OutboxRelay,
      subjects,
      config,
      clock,
    );
    for (let i = 0; i < 3; i++) {
      const c = new Client({ connectionString: db.url });
      await c.connect();
      writers.push(c);
    }
  });

  afterAll(async () => {
    for (const c of writers) await c.end();
    await db.drop();
  });

  let seq = 0;
  const insertEvent = (c: Client, timestamp: Date): Promise<unknown> =>
    c.query(
      `INSERT INTO events (environment_id, id, tenant_id, event_name, external_customer_id, "timestamp")
       VALUES ($1, $2, $3, 'api_call', 'cust_1', $4)`,
      [p.environmentId, `evt_${String(++seq).padStart(5, '0')}`, p.tenantId, timestamp],
    );

  const tickBoth = async (): Promise<string[]> => {
    const results = await Promise.all(replicas.map((r) => r.tick()));
    return results.flatMap((r) => r.runs);
  };

  const runsOf = async (scheduleId: string): Promise<RunRow[]> =>
    db.ds.query(
      `SELECT r.task_id, r.kind, r.window_start, r.window_end, t.metadata, t.file_url
         FROM scheduled_task_runs r JOIN tasks t ON t.id = r.task_id
        WHERE r.scheduled_task_id = $1 ORDER BY t.created_at, r.task_id`,
      [scheduleId],
    );

  /** The event ids a run's task exports: the exporter's own query, in a fresh snapshot. */
  const exportedIds = async (run: RunRow): Promise<string[]> => {
    const def = EXPORT_DEFINITIONS.get(EntityType.EVENTS);
    if (!def) throw new Error('no EVENTS export definition');
    const q = buildExportQuery(
      def,
      { tenantId: p.tenantId, environmentId: p.environmentId },
      parseExportSelection(run.metadata, def),
      { watermark: parseWatermarkRange(run.metadata) },
    );
    const rows: Array<{ event_id: string }> = await db.ds.query(
      `SELECT id AS event_id ${q.where}`,
      q.params,
    );
    return rows.map((r) => r.event_id);
  };

  it('exports every window once, and in incremental mode every event once, late ones included', async () => {
    const window = await service.create(p, {
      connection_id: 'store',
      entity_type: 'events',
      interval: ScheduleInterval.HOURLY,
      job_config: { mode: 'window', lag_seconds: 600, key_prefix: 'warehouse/' },
    });
    const incremental = await service.create(p, {
      connection_id: 'store',
      entity_type: 'events',
      interval: ScheduleInterval.HOURLY,
      job_config: { compression: 'gzip' },
    });
    expect(incremental.job_config).toMatchObject({ mode: 'incremental', bucket: 'exports' });

    const late: string[] = [];
    let naiveWouldMiss = 0;
    // 36 hours in 15-minute steps; Ferry is down (no scheduler ticks) from hour 10 to hour 17.
    for (let step = 0; step < 36 * 4; step++) {
      const now = clock.now();
      await insertEvent(writers[0], new Date(now.getTime() - 2 * MIN));
      await insertEvent(writers[1], new Date(now.getTime() - 40 * MIN));
      const down = step >= 40 && step < 68;
      if (step % 5 === 2) {
        // A writer whose transaction began before the run and commits after it: its event has
        // the earlier ingested_at, yet it becomes visible only once the run took its watermark.
        await writers[2].query('BEGIN');
        await insertEvent(writers[2], new Date(now.getTime() - 70 * MIN));
        const [{ id }] = (await writers[2].query(`SELECT max(id) AS id FROM events`)).rows as [
          { id: string },
        ];
        late.push(id);
        const sameTime = (await writers[0].query(`SELECT now() AS t`)).rows[0] as { t: Date };
        await insertEvent(writers[0], now); // committed at once, after the late one began
        if (!down) await tickBoth();
        await writers[2].query('COMMIT');
        const [{ ingested }] = (await db.ds.query(
          `SELECT ingested_at AS ingested FROM events WHERE id = $1`,
          [id],
        )) as [{ ingested: Date }];
        // A watermark on ingested_at (the newest one exported) would already be past this event.
        if (ingested.getTime() < sameTime.t.getTime()) naiveWouldMiss++;
      } else if (!down) {
        await tickBoth();
      }
      clock.advance(15 * MIN);
    }
    // Up again: one more pass catches up whatever is still due.
    await tickBoth();

    // Window mode: one run per slot, every slot from the one holding the creation time to the
    // last due one, in order, none twice, the downtime's slots caught up after it.
    const windowRuns = await runsOf(window.id);
    const starts = windowRuns.map((r) => new Date(r.window_start).getTime());
    expect(new Set(starts).size).toBe(starts.length);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    const first = Date.parse('2026-03-01T00:00:00Z');
    const lastDue = Math.floor((clock.now().getTime() - 10 * MIN) / HOUR) * HOUR - HOUR;
    expect(starts).toEqual(
      Array.from({ length: (lastDue - first) / HOUR + 1 }, (_, i) => first + i * HOUR),
    );
    for (const r of windowRuns) {
      expect(r.kind).toBe('slot');
      expect(r.metadata).toMatchObject({
        start_time: new Date(r.window_start).toISOString(),
        end_time: new Date(r.window_end).toISOString(),
      });
      expect(r.file_url).toMatch(
        /^store:\/\/exports\/warehouse\/events\/events-\d{12}-\d{12}\.csv$/,
      );
    }

    // Incremental mode: the runs' rows partition every event written, late ones included.
    await tickBoth(); // nothing new is due: no second run of any slot
    const incRuns = await runsOf(incremental.id);
    expect(new Set(incRuns.map((r) => new Date(r.window_start).getTime())).size).toBe(
      incRuns.length,
    );
    const seen = new Map<string, number>();
    for (const [i, run] of incRuns.entries()) {
      expect(run.file_url).toMatch(/\.csv\.gz$/);
      for (const id of await exportedIds(run)) {
        expect(seen.get(id)).toBeUndefined();
        seen.set(id, i);
      }
    }
    // Everything committed before the last run's watermark is exported; forced runs (each moves
    // the watermark) take the rest, so nothing is left behind and nothing repeats. The watermark
    // is the cluster's oldest running transaction (docs/DECISIONS.md 74): a test of another
    // database holding one open holds it back, so force again until it has moved past our rows.
    const written = (await db.ds.query(`SELECT id FROM events ORDER BY id`)) as Array<{
      id: string;
    }>;
    for (let tries = 0; seen.size < written.length && tries < 60; tries++) {
      if (tries > 0) await new Promise((r) => setTimeout(r, 1000));
      const forced = await service.run(p, incremental.id, {});
      expect(forced.mode).toBe('automatic');
      const runs = await runsOf(incremental.id);
      const last = runs[runs.length - 1];
      expect(last.task_id).toBe(forced.workflow_id);
      for (const id of await exportedIds(last)) {
        expect(seen.get(id)).toBeUndefined();
        seen.set(id, runs.length - 1);
      }
    }
    expect([...seen.keys()].sort()).toEqual(written.map((r) => r.id));
    const all = await runsOf(incremental.id);
    expect(late.length).toBeGreaterThan(10);
    for (const id of late) expect(seen.has(id)).toBe(true);
    expect(naiveWouldMiss).toBeGreaterThan(0);

    // Two replicas never made one slot twice, and every run's message went to the relay once.
    const taskIds = relay.published.map((m) => (m.payload as { task_id: string }).task_id);
    expect(new Set(taskIds).size).toBe(taskIds.length);
    expect(taskIds.length).toBe(windowRuns.length + all.length);
  });

  it('retries a failed run with backoff, then leaves it FAILED, and the next slot still runs', async () => {
    const s = await service.create(p, {
      connection_id: 'store',
      entity_type: 'customers',
      interval: ScheduleInterval.FIFTEEN_MIN,
      job_config: { mode: 'window', lag_seconds: 0, columns: ['external_id', 'name'] },
    });
    clock.advance(15 * MIN);
    const [taskId] = (await replicas[0].tick()).runs;
    expect(taskId).toBeDefined();
    const fail = (id: string, why: string) =>
      db.ds.query(
        `UPDATE tasks SET task_status = 'FAILED', error_summary = $2, failed_at = now() WHERE id = $1`,
        [id, why],
      );
    await fail(taskId, 'writing s3://b/k failed: SlowDown (503)');
    const status = async (id: string) =>
      (
        (await db.ds.query(`SELECT task_status, attempt FROM tasks WHERE id = $1`, [id])) as [
          { task_status: string; attempt: number },
        ]
      )[0];

    await replicas[1].tick(); // sees the failure: its retry is due a minute later
    expect(await status(taskId)).toEqual({ task_status: 'FAILED', attempt: 0 });
    clock.advance(MIN);
    const { retried, runs: next } = await replicas[0].tick();
    expect(retried).toEqual([taskId]);
    expect(await status(taskId)).toEqual({ task_status: 'PROCESSING', attempt: 1 });
    expect(relay.published.at(-1)?.msgId).toBe(`${taskId}:attempt-1`);
    expect(next).toEqual([]); // the next 15 minutes are not over yet

    await fail(taskId, 'writing s3://b/k failed: SlowDown (503)');
    await replicas[0].tick();
    clock.advance(2 * MIN);
    expect((await replicas[1].tick()).retried).toEqual([taskId]);
    await fail(taskId, 'writing s3://b/k failed: SlowDown (503)');
    clock.advance(10 * MIN);
    const after = await replicas[0].tick();
    // Two retries were allowed: it stays FAILED with its reason, and the next slot still ran.
    expect(after.retried).toEqual([]);
    expect(after.runs).toHaveLength(1);
    expect(await status(taskId)).toEqual({ task_status: 'FAILED', attempt: 2 });
    const view = await service.get(p, s.id);
    expect(view.last_run_status).toBe('PENDING');

    // A run a client cancelled is not retried.
    await fail(after.runs[0], `Cancelled by ${p.userId}`);
    clock.advance(5 * MIN);
    await replicas[0].tick();
    clock.advance(5 * MIN);
    expect((await replicas[1].tick()).retried).toEqual([]);
  });

  it('pauses and resumes without catching up the paused slots, and never runs a deleted one', async () => {
    const s = await service.create(p, {
      connection_id: 'store',
      entity_type: 'prices',
      interval: ScheduleInterval.THIRTY_MIN,
      job_config: { mode: 'window', lag_seconds: 0 },
    });
    await service.setEnabled(p, s.id, false);
    clock.advance(3 * HOUR);
    await tickBoth();
    expect(await runsOf(s.id)).toEqual([]);
    const resumed = await service.setEnabled(p, s.id, true);
    expect(Date.parse(resumed.next_run_at ?? '')).toBeGreaterThan(clock.now().getTime());
    clock.advance(30 * MIN);
    await tickBoth();
    expect(await runsOf(s.id)).toHaveLength(1);
    await service.archive(p, s.id);
    clock.advance(2 * HOUR);
    await tickBoth();
    expect(await runsOf(s.id)).toHaveLength(1);
    await expect(service.run(p, s.id, {})).rejects.toThrow(/never runs again/);
    expect((await service.get(p, s.id)).status).toBe('archived');
  });

  it('bounds catch-up: after a long downtime only the newest slots run, the rest are counted', async () => {
    const bounded = new TaskScheduler(
      new ScheduleRunRepository(db.ds),
      relay as unknown as OutboxRelay,
      subjects,
      Object.assign(new GatewayConfig(), { FERRY_SCHEDULE_MAX_CATCHUP: 3 }),
      clock,
    );
    const s = await service.create(p, {
      connection_id: 'store',
      entity_type: 'features',
      interval: ScheduleInterval.FIFTEEN_MIN,
      job_config: { mode: 'window', lag_seconds: 0 },
    });
    clock.advance(10 * HOUR);
    await bounded.tick();
    const runs = await runsOf(s.id);
    expect(runs).toHaveLength(3);
    const view = await service.get(p, s.id);
    expect(view.skipped_slots).toBeGreaterThanOrEqual(37);
  });
});
