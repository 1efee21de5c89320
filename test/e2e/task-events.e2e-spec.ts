import { FerryApi } from '../support/api';
import { DripServer } from '../support/drip-server';
import { eventsCsv } from '../support/events-csv';
import { type FerrySystem, startFerry } from '../support/ferry-system';
import { FileServer } from '../support/file-server';
import { readSse, type SseMessage, type SseResult } from '../support/sse';
import { addTenantKey, scopeOfKey } from '../support/tenant-key';

/** GET /v1/tasks/{id}/events through the four running services. */
describe('live task progress over Server-Sent Events', () => {
  let ferry: FerrySystem;
  let files: FileServer;
  let api: FerryApi;

  beforeAll(async () => {
    files = await new FileServer().start();
    ferry = await startFerry({
      env: { FERRY_SSE_HEARTBEAT_MS: '300', FERRY_IMPORT_BATCH_SIZE: '10000' },
    });
    api = new FerryApi(ferry.baseUrl, ferry.apiKey);
  });

  afterAll(async () => {
    await ferry?.stop();
    await files?.stop();
  });

  const eventsUrl = (id: string) => `${ferry.baseUrl}/v1/tasks/${id}/events`;

  const importTask = async (fileUrl: string) => {
    const res = await api.createTask({
      task_type: 'IMPORT',
      entity_type: 'EVENTS',
      file_type: 'CSV',
      file_url: fileUrl,
    });
    expect(res.status).toBe(202);
    return res.body.id as string;
  };

  /** What every stream must hold: progress in seq order, counters never going back, one end. */
  const expectWellOrdered = (r: SseResult) => {
    const progress = r.messages.filter((m) => m.event === 'progress');
    const seqs = progress.map((m) => Number(m.id));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs.slice(1)).size).toBe(seqs.length - 1); // each change once (the first may repeat the state)
    for (const field of ['processed_records', 'successful_records', 'failed_records'] as const) {
      const values = progress.map((m) => m.data.task[field] as number);
      for (let i = 1; i < values.length; i++)
        expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
    }
    expect(r.messages.filter((m) => m.event === 'end')).toHaveLength(1);
    expect(r.messages.at(-1)?.event).toBe('end');
    return progress;
  };

  it('streams a 200,000-row import in order to its final state, the same for every watcher, then ends', async () => {
    const id = await importTask(files.add('two-hundred-thousand.csv', eventsCsv(200_000, 'sse')));
    const watchers = 20;
    const firstAt: number[] = [];
    const results = await Promise.all(
      Array.from({ length: watchers }, (_, i) =>
        readSse(eventsUrl(id), ferry.apiKey, (m: SseMessage) => {
          if (firstAt[i] === undefined) firstAt[i] = m.at;
        }),
      ),
    );

    for (const r of results) {
      expect(r.status).toBe(200);
      expect(r.contentType).toMatch(/^text\/event-stream/);
      const progress = expectWellOrdered(r);
      const last = progress.at(-1)!.data;
      expect(last.task).toMatchObject({
        id,
        task_status: 'COMPLETED',
        total_records: 200_000,
        processed_records: 200_000,
        successful_records: 200_000,
        failed_records: 0,
      });
      expect(last.percent).toBe(100);
      expect(last.eta_seconds).toBe(0);
      expect(last.rows_per_second).toBeGreaterThan(0);
      expect(r.messages.at(-1)?.data).toEqual({ task_status: 'COMPLETED' });
    }
    // The state arrives at once, not with the first change; the bound is loose because 200
    // watchers connect at once, on a machine that may be busy.
    for (const at of firstAt) expect(at).toBeLessThan(5000);
    // Live: some watcher saw the task running with counters between 0 and the end.
    const live = results[0].messages.filter(
      (m) =>
        m.event === 'progress' &&
        m.data.task.task_status === 'PROCESSING' &&
        m.data.task.processed_records > 0 &&
        m.data.task.processed_records < 200_000,
    );
    expect(live.length).toBeGreaterThan(0);
    // Everyone ends on the same final seq, and it is what GET says.
    const finalSeqs = new Set(
      results.map((r) => r.messages.filter((m) => m.event === 'progress').at(-1)!.id),
    );
    expect(finalSeqs.size).toBe(1);
    const { body: task } = await api.getTask(id);
    expect(task.task_status).toBe('COMPLETED');
    expect(
      results[0].messages.filter((m) => m.event === 'progress').at(-1)!.data.task.processed_records,
    ).toBe(task.processed_records);
  });

  it('sends heartbeats while a slow task runs, and rows/s while it moves', async () => {
    const csv = eventsCsv(30_000, 'drip');
    const drip = await new DripServer(csv, Math.floor(csv.length / 2), 2500).start();
    try {
      const id = await importTask(drip.url);
      const r = await readSse(eventsUrl(id), ferry.apiKey);
      const progress = expectWellOrdered(r);
      expect(r.comments.filter((c) => c === 'heartbeat').length).toBeGreaterThanOrEqual(3);
      expect(progress.at(-1)!.data.task).toMatchObject({
        task_status: 'COMPLETED',
        processed_records: 30_000,
      });
      expect(progress.some((m) => m.data.task.task_status === 'PROCESSING')).toBe(true);
      expect(r.durationMs).toBeGreaterThan(2000);
    } finally {
      await drip.stop();
    }
  });

  it('ends at once with the final state for a task that has already ended (FAILED included)', async () => {
    const id = await importTask(files.url('no-such-file.csv'));
    await api.waitForTask(id);
    const r = await readSse(eventsUrl(id), ferry.apiKey, undefined, 10_000);
    expect(r.status).toBe(200);
    expect(r.messages.map((m) => m.event)).toEqual(['progress', 'end']);
    expect(r.messages[0].data.task.task_status).toBe('FAILED');
    expect(r.messages[0].data.task.error_summary).toMatch(/404/);
    expect(r.messages[1].data).toEqual({ task_status: 'FAILED' });
    expect(r.durationMs).toBeLessThan(3000);
  });

  it("is a 404 for another tenant's task and an unknown one, 401 without a key, 403 without task:read", async () => {
    const id = await importTask(files.add('small.csv', eventsCsv(10, 'own')));
    const otherKey = await addTenantKey(ferry, ['task:read', 'task:write']);
    const foreign = await readSse(eventsUrl(id), otherKey, undefined, 10_000);
    expect(foreign.status).toBe(404);
    expect(foreign.error).toMatchObject({ code: 'not_found', message: `Task ${id} was not found` });
    const unknown = await readSse(eventsUrl('task_01JUNKNOWNUNKNOWNUNKNOWNXX'), ferry.apiKey);
    expect(unknown.status).toBe(404);
    const anonymous = await readSse(eventsUrl(id), undefined);
    expect(anonymous.status).toBe(401);
    expect(anonymous.error.code).toBe('permission_denied');
    const writeOnly = await readSse(eventsUrl(id), await addTenantKey(ferry, ['task:write']));
    expect(writeOnly.status).toBe(403);
  });

  it('lets a watcher leave early without disturbing the others', async () => {
    const csv = eventsCsv(20_000, 'leave');
    const drip = await new DripServer(csv, Math.floor(csv.length / 3), 1500).start();
    try {
      const id = await importTask(drip.url);
      const leaver = new AbortController();
      const early = fetch(eventsUrl(id), {
        headers: { 'x-api-key': ferry.apiKey },
        signal: leaver.signal,
      }).then(async (res) => {
        const reader = res.body!.getReader();
        await reader.read(); // the first frame, then hang up
        leaver.abort();
      });
      const stayer = readSse(eventsUrl(id), ferry.apiKey);
      await early.catch(() => undefined);
      const r = await stayer;
      expectWellOrdered(r);
      expect(r.messages.at(-2)?.data.task.task_status).toBe('COMPLETED');
    } finally {
      await drip.stop();
    }
  });

  it('caps the streams one key holds open: one more is a 429 with Retry-After, another key still streams, a closed stream frees its slot', async () => {
    // FERRY_SSE_MAX_STREAMS_PER_KEY keeps its default, 20. The streams of the tests above (20 at
    // once with ferry.apiKey, then more) only passed because each released its slot at its end.
    const csv = eventsCsv(20_000, 'cap');
    const drip = await new DripServer(csv, Math.floor(csv.length / 3), 60_000).start();
    const scope = await scopeOfKey(ferry, ferry.apiKey);
    const capped = await addTenantKey(ferry, ['task:read'], scope);
    const other = await addTenantKey(ferry, ['task:read'], scope);
    const held: AbortController[] = [];
    try {
      const id = await importTask(drip.url);
      const open = async (key: string) => {
        const ctl = new AbortController();
        const res = await fetch(eventsUrl(id), {
          headers: { 'x-api-key': key },
          signal: ctl.signal,
        });
        if (res.status === 200) {
          held.push(ctl);
          await res.body!.getReader().read(); // the stream is registered and sending
        }
        return { res, ctl };
      };
      const first = await Promise.all(Array.from({ length: 20 }, () => open(capped)));
      expect(first.map((s) => s.res.status)).toEqual(Array(20).fill(200));

      const over = await open(capped);
      expect(over.res.status).toBe(429);
      expect(over.res.headers.get('retry-after')).toBe('5');
      expect(await over.res.json()).toMatchObject({
        code: 'too_many_requests',
        http_status_code: 429,
        message: expect.stringMatching(
          /^This API key already holds 20 open event streams \(FERRY_SSE_MAX_STREAMS_PER_KEY\); close one, or retry in 5 s$/,
        ),
        details: { retry_after_seconds: 5, limit: 20 },
      });
      expect((await open(other)).res.status).toBe(200);

      // A client that hangs up gives its slot back.
      first[0].ctl.abort();
      let again = 0;
      for (let i = 0; i < 50 && again !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        again = (await open(capped)).res.status;
      }
      expect(again).toBe(200);
      expect((await open(capped)).res.status).toBe(429);
    } finally {
      for (const ctl of held) ctl.abort();
      await drip.stop();
    }
  });

  // Last: it stops the gateway.
  it('closes open streams when the gateway shuts down, so a rolling restart is not held up', async () => {
    const csv = eventsCsv(20_000, 'shutdown');
    const drip = await new DripServer(csv, Math.floor(csv.length / 3), 30_000).start();
    try {
      const id = await importTask(drip.url);
      let first!: () => void;
      const gotFirst = new Promise<void>((resolve) => (first = resolve));
      const stream = readSse(eventsUrl(id), ferry.apiKey, () => first());
      await gotFirst;
      const stoppedAt = Date.now();
      process.kill(ferry.pids.gateway!, 'SIGTERM');
      const r = await stream;
      expect(Date.now() - stoppedAt).toBeLessThan(5000);
      expect(r.messages.some((m) => m.event === 'end')).toBe(false); // cut short, not ended
      const alive = () => {
        try {
          return process.kill(ferry.pids.gateway!, 0);
        } catch {
          return false;
        }
      };
      while (alive() && Date.now() - stoppedAt < 10_000)
        await new Promise((r) => setTimeout(r, 100));
      expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    } finally {
      await drip.stop();
    }
  });
});
