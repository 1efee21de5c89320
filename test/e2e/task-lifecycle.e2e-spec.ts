import { FerryApi } from '../support/api';
import { eventsCsv } from '../support/events-csv';
import { type FerrySystem, startFerry } from '../support/ferry-system';
import { FileServer } from '../support/file-server';
import { addTenantKey } from '../support/tenant-key';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** docs/API.md §3 and §1 through all four services: cancel, retry, and Idempotency-Key. */
describe('task lifecycle: cancel, retry, Idempotency-Key', () => {
  let ferry: FerrySystem;
  let files: FileServer;
  let api: FerryApi;

  beforeAll(async () => {
    files = await new FileServer().start();
    ferry = await startFerry({
      env: { FERRY_IMPORT_BATCH_SIZE: '5000', FERRY_PROGRESS_INTERVAL_MS: '500' },
    });
    api = new FerryApi(ferry.baseUrl, ferry.apiKey);
  });

  afterAll(async () => {
    await ferry?.stop();
    await files?.stop();
  });

  const task = (fileUrl: string, over: Record<string, unknown> = {}) => ({
    task_type: 'IMPORT',
    entity_type: 'EVENTS',
    file_type: 'CSV',
    file_url: fileUrl,
    ...over,
  });
  const putStatus = (id: string, task_status: string, client = api) =>
    client.request('PUT', `/v1/tasks/${id}/status`, { task_status });
  const checkpoint = async (id: string): Promise<number> => {
    const { rows } = await ferry.db.query(
      'SELECT processed FROM task_checkpoints WHERE task_id = $1',
      [id],
    );
    return Number(rows[0]?.processed ?? 0);
  };
  const stored = async (id: string) => {
    const { rows } = await ferry.db.query(
      'SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM events WHERE task_id = $1',
      [id],
    );
    return rows[0] as { n: number; d: number };
  };

  it('cancels a running import within 5 s keeping its rows, and a retry finishes it: each row once', async () => {
    const rows = 150_000;
    // ~12 MB at 2 MB/s: the import is surely still running when the cancel comes.
    const url = files.add('cancel.csv', eventsCsv(rows, 'cx'), 'text/csv', 2 * 1024 * 1024);
    const id = (await api.createTask(task(url))).body.id as string;
    for (;;) {
      if ((await api.getTask(id)).body.processed_records > 0) break;
      await sleep(50);
    }

    const cancel = await putStatus(id, 'FAILED');
    const cancelledAt = Date.now();
    expect(cancel.status).toBe(200);
    expect(cancel.body).toEqual({ message: expect.stringContaining('cancelled') });
    const right = (await api.getTask(id)).body;
    expect(right.task_status).toBe('FAILED');
    expect(right.error_summary).toMatch(/^Cancelled by /);
    expect(right.failed_at).not.toBeNull();

    // The worker stops: the checkpoint moves no more (a batch in flight may still land).
    let last = await checkpoint(id);
    let lastChange = Date.now();
    while (Date.now() - lastChange < 2000) {
      await sleep(100);
      const now = await checkpoint(id);
      if (now !== last) [last, lastChange] = [now, Date.now()];
    }
    expect(lastChange - cancelledAt).toBeLessThan(5000);
    expect(last).toBeLessThan(rows);
    expect(await stored(id)).toEqual({ n: last, d: last }); // what was committed stays
    const still = (await api.getTask(id)).body;
    expect(still.task_status).toBe('FAILED'); // late progress does not revive it

    // Not allowed: COMPLETED is the worker's to say, and FAILED → FAILED is no move.
    for (const to of ['COMPLETED', 'FAILED', 'PENDING']) {
      const refused = await putStatus(id, to);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        code: 'invalid_operation',
        http_status_code: 400,
        details: { from: 'FAILED', to },
      });
    }

    const retry = await putStatus(id, 'PROCESSING');
    expect(retry.status).toBe(200);
    expect(retry.body.message).toMatch(/attempt 1/);
    const after = (await api.getTask(id)).body;
    expect(after).toMatchObject({
      task_status: 'PROCESSING',
      error_summary: null,
      failed_at: null,
    });

    const done = await api.waitForTask(id, 120_000);
    expect(done).toMatchObject({
      task_status: 'COMPLETED',
      total_records: rows,
      processed_records: rows,
      successful_records: rows,
      failed_records: 0,
      error_summary: null,
    });
    expect(done.metadata.duplicates).toBe(0); // the retry resumed: nothing re-read was re-written
    expect(await stored(id)).toEqual({ n: rows, d: rows });
    const { rows: outbox } = await ferry.db.query(
      'SELECT msg_id FROM outbox WHERE msg_id LIKE $1 ORDER BY id',
      [`${id}%`],
    );
    expect(outbox.map((r) => r.msg_id)).toEqual([id, `${id}:attempt-1`]);

    const final = await putStatus(id, 'FAILED');
    expect(final.status).toBe(400);
    expect(final.body.details).toEqual({ from: 'COMPLETED', to: 'FAILED' });
  });

  it('cancels a PENDING task before any worker starts it; no row is imported', async () => {
    await ferry.kill('importer');
    try {
      const url = files.add('never.csv', eventsCsv(100, 'nv'));
      const id = (await api.createTask(task(url))).body.id as string;
      expect((await putStatus(id, 'FAILED')).status).toBe(200);
      await ferry.start('importer');
      await sleep(1500);
      expect((await api.getTask(id)).body.task_status).toBe('FAILED');
      expect(await stored(id)).toEqual({ n: 0, d: 0 });
    } finally {
      await ferry.start('importer');
    }
  });

  it('answers 404 for a missing or foreign task, 403 without task:write, 400 for a bad status', async () => {
    const id = (await api.createTask(task(files.add('x.csv', eventsCsv(10, 'x'))))).body
      .id as string;
    const foreign = new FerryApi(
      ferry.baseUrl,
      await addTenantKey(ferry, ['task:read', 'task:write']),
    );
    const readOnly = new FerryApi(ferry.baseUrl, await addTenantKey(ferry, ['task:read']));
    expect((await putStatus('task_01JUNKNOWNUNKNOWNUNKNOWNXX', 'FAILED')).status).toBe(404);
    const other = await putStatus(id, 'FAILED', foreign);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('not_found');
    expect((await putStatus(id, 'FAILED', readOnly)).status).toBe(403);
    const bad = await putStatus(id, 'CANCELLED');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_error');
  });

  it('honours Idempotency-Key end to end: same key and body, one task imported once; other body, 409', async () => {
    const url = files.add('idem.csv', eventsCsv(3000, 'idem'));
    const key = { 'idempotency-key': `idem-${Date.now()}` };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => api.createTask(task(url), key)),
    );
    for (const a of answers) expect(a.status).toBe(202);
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids] as string[];
    // The same body with its keys in another order is the same request.
    const reordered = await api.createTask(
      { file_url: url, file_type: 'CSV', entity_type: 'EVENTS', task_type: 'IMPORT' },
      key,
    );
    expect(reordered.body.id).toBe(id);

    const clash = await api.createTask(task(url, { file_name: 'other.csv' }), key);
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({
      code: 'already_exists',
      http_status_code: 409,
      details: { task_id: id },
    });

    const done = await api.waitForTask(id);
    expect(done).toMatchObject({ task_status: 'COMPLETED', successful_records: 3000 });
    expect(await stored(id)).toEqual({ n: 3000, d: 3000 });
    const { rows } = await ferry.db.query(
      'SELECT count(*)::int AS n FROM tasks WHERE idempotency_key = $1',
      [key['idempotency-key']],
    );
    expect(rows[0].n).toBe(1);
    const { rows: outbox } = await ferry.db.query(
      'SELECT count(*)::int AS n FROM outbox WHERE msg_id = $1',
      [id],
    );
    expect(outbox[0].n).toBe(1);
  });
});
