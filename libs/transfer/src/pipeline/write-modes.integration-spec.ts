import { EntityType, type TaskCreatedEvent } from '@ferry/contracts';

import {
  eventsCsv,
  HEADER,
  importRunnerHarness,
  sleep,
  waitFor,
} from '../testing/import-runner.harness';

jest.setTimeout(30_000);

/**
 * The write targets of ImportBatchLoop (docs/API.md §1 `dry_run`, `atomic`, `max_error_ratio`):
 * a dry run gives the real run's counters and row errors and writes no entity row; an atomic
 * import shows every row at once or none, even when it stops half way, and a later delivery
 * imports each row once.
 */
describe('import write modes (PostgreSQL, NATS, loopback HTTP)', () => {
  const h = importRunnerHarness('ferry_ut_write_modes');
  const { runner, newTask, statusEvents, checkpoint, eventCount } = h;
  const run = (task: TaskCreatedEvent, signal = new AbortController().signal) =>
    runner().run(task, { signal });

  const rowErrors = async (taskId: string) =>
    (await h.db.ds.query(
      'SELECT row_number, error_code, error_message FROM task_row_errors WHERE task_id = $1 ORDER BY row_number',
      [taskId],
    )) as Array<Record<string, unknown>>;
  const envEvents = async (env: string) =>
    Number(
      (
        (await h.db.ds.query('SELECT count(*) AS n FROM events WHERE environment_id = $1', [
          env,
        ])) as Array<{ n: string }>
      )[0].n,
    );
  const finalOf = async (taskId: string) => (await statusEvents(taskId)).at(-1);

  // 250 rows (3 batches of 100): every 50th lacks its name, row of evt-210 repeats evt-20 (a
  // duplicate of an earlier batch), and evt-7 is already in the environment at the same time (the
  // duplicate rule is id and time: docs/FORMATS.md §2).
  const file = () =>
    eventsCsv(0, 250, 50).replace('evt-210,api_call', 'evt-20,api_call').replace(/\n$/, '\n');

  it('dry run: the real run’s counters, duplicates and row errors, and no row written', async () => {
    const dry = await newTask(file(), { metadata: { dry_run: true } });
    const env = dry.environment_id;
    await h.db.ds.query(
      `INSERT INTO events (environment_id, id, tenant_id, event_name, external_customer_id, "timestamp")
       VALUES ($1, 'evt-7', 't', 'x', 'c', '2024-01-31T12:00:00Z')`,
      [env],
    );
    await run(dry);
    const real = await newTask(file(), { environmentId: env });
    await run(real);

    const [d, r] = [await finalOf(dry.task_id), await finalOf(real.task_id)];
    expect(d?.kind).toBe('completed');
    expect(d?.counters).toEqual(r?.counters);
    expect(d?.counters).toEqual({
      processed_records: 250,
      successful_records: 245,
      failed_records: 5,
      total_records: 250,
    });
    expect(d?.metadata?.['duplicates']).toBe(2);
    expect(d?.metadata?.['duplicates']).toBe(r?.metadata?.['duplicates']);
    expect(d?.metadata?.['dry_run']).toBe(true);
    expect(d?.error_summary).toBe(r?.error_summary);
    expect(await rowErrors(dry.task_id)).toEqual(await rowErrors(real.task_id));
    expect(await eventCount(dry)).toBe(0);
    expect(await envEvents(env)).toBe(1 + 243); // the one before, and the real run's
    expect((await checkpoint(dry.task_id))?.total_records).toBe('250');
    // The dry run's id table went with its transaction.
    const [{ n }] = (await h.db.ds.query(
      "SELECT count(*) AS n FROM pg_class WHERE relname LIKE 'ferry_dry_ids_%'",
    )) as Array<{ n: string }>;
    expect(n).toBe('0');
  });

  it('dry run resumed after its table was dropped (a cancel, then a retry): the same counts', async () => {
    // evt-3501 repeats evt-21: a duplicate of a batch the first delivery counted.
    const body = eventsCsv(0, 4000, 50).replace('evt-3501,', 'evt-21,');
    const task = await newTask(
      { body, chunkBytes: 8 * 1024, delayMs: 40 },
      { metadata: { dry_run: true } },
    );
    const table = `ferry_dry_ids_${task.task_id.toLowerCase()}`;
    const stop = new AbortController();
    const seen: number[] = [];
    const unwatch = h.watchStatus(task.task_id, (e) => seen.push(e.counters.processed_records));
    const first = run(task, stop.signal).catch(() => undefined);
    await waitFor(() => seen.some((n) => n >= 300), 'three batches of the dry run');
    stop.abort();
    await first;
    unwatch();
    expect(Number((await checkpoint(task.task_id))?.next_record)).toBeGreaterThanOrEqual(300);
    // What the sweeper does once the task ended (docs/DECISIONS.md 114).
    await h.db.ds.query(`DROP TABLE IF EXISTS ${table}`);

    h.files.set(new URL(task.file_url).pathname, { body });
    await run(task);
    const last = await finalOf(task.task_id);
    expect(last?.kind).toBe('completed');
    expect(last?.counters).toEqual({
      processed_records: 4000,
      successful_records: 3920,
      failed_records: 80,
      total_records: 4000,
    });
    expect(last?.metadata?.['duplicates']).toBe(1);
    expect(await eventCount(task)).toBe(0);
    const [{ n }] = (await h.db.ds.query('SELECT count(*) AS n FROM pg_class WHERE relname = $1', [
      table,
    ])) as Array<{ n: string }>;
    expect(n).toBe('0');
  });

  it('dry run of customers, features and prices writes no row', async () => {
    const customers = await newTask('external_id,name\nc-1,One\nc-2,Two\nc-1,Again\n', {
      entity: EntityType.CUSTOMERS,
      metadata: { dry_run: 'true' },
    });
    await run(customers);
    expect((await finalOf(customers.task_id))?.counters.successful_records).toBe(3);
    const [{ n }] = (await h.db.ds.query(
      'SELECT count(*) AS n FROM customers WHERE environment_id = $1',
      [customers.environment_id],
    )) as Array<{ n: string }>;
    expect(n).toBe('0');
  });

  it('atomic: a delivery stopped half way leaves no row; the next imports every row once', async () => {
    const body = eventsCsv(0, 4000); // over the reader's 64 KB chunk, so it arrives in parts
    const task = await newTask(
      { body, chunkBytes: 8 * 1024, delayMs: 40 },
      { metadata: { atomic: true } },
    );
    const stop = new AbortController();
    const seen: number[] = [];
    const unwatch = h.watchStatus(task.task_id, (e) => seen.push(e.counters.processed_records));
    const first = run(task, stop.signal).catch(() => undefined);
    await waitFor(() => seen.some((n) => n >= 200), 'two batches of the atomic import');
    // Batches were written in the session, yet none is visible.
    expect(await eventCount(task)).toBe(0);
    stop.abort();
    await first;
    unwatch();
    expect(await eventCount(task)).toBe(0);
    expect((await checkpoint(task.task_id))?.next_record).toBe('0');

    h.files.set(new URL(task.file_url).pathname, { body });
    await run(task);
    expect(await eventCount(task)).toBe(4000);
    expect((await finalOf(task.task_id))?.counters).toEqual({
      processed_records: 4000,
      successful_records: 4000,
      failed_records: 0,
      total_records: 4000,
    });
  });

  it('atomic: over its max_errors it commits nothing and ends FAILED with the sentence', async () => {
    const task = await newTask(eventsCsv(0, 300, 20), {
      metadata: { atomic: true, max_errors: 10 },
    });
    await run(task);
    const last = await finalOf(task.task_id);
    expect(last?.kind).toBe('failed');
    expect(last?.error_summary).toMatch(/more than the 10 allowed \(metadata.max_errors\)/);
    expect(await eventCount(task)).toBe(0);
    expect((await rowErrors(task.task_id)).length).toBeGreaterThan(10);
  });

  it('max_error_ratio stops the import once min rows were read', async () => {
    const task = await newTask(eventsCsv(0, 400, 4), {
      metadata: { max_error_ratio: 0.1, max_error_ratio_min_rows: 50 },
    });
    await run(task);
    const last = await finalOf(task.task_id);
    expect(last?.kind).toBe('failed');
    expect(last?.error_summary).toMatch(
      /rejected rows of \d+ read \(\d+\.\d%\), more than the 0.1 allowed by metadata.max_error_ratio/,
    );
    // It stopped early: not every row was read.
    expect(Number((await checkpoint(task.task_id))?.processed)).toBeLessThan(400);
    await sleep(0);
  });

  it('an atomic import commits its rows and checkpoint together at the end', async () => {
    const task = await newTask(`${HEADER}\nevt-1,a,c,2024-01-31T12:00:00Z,1\n`, {
      metadata: { atomic: true },
    });
    await run(task);
    expect(await eventCount(task)).toBe(1);
    expect((await checkpoint(task.task_id))?.total_records).toBe('1');
    expect((await finalOf(task.task_id))?.kind).toBe('completed');
  });
});
