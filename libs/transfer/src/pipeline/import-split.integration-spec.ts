import { type TaskCreatedEvent, type TaskPartEvent } from '@ferry/contracts';

import { HEADER, importRunnerHarness, sleep, waitFor } from '../testing/import-runner.harness';
import { type ImportRunner } from './import.runner';

jest.setTimeout(60_000);

/**
 * A large import read in parts by several importers (docs/DECISIONS.md 128): the part messages
 * are caught here and handed to three runners (three importers), so the spec decides who reads
 * what, when, and which delivery dies. The split task must end exactly as the same file read by
 * one importer: the same rows, counters, row errors with the same line numbers, and warnings.
 */
describe('split imports (PostgreSQL, NATS, loopback HTTP with ranges)', () => {
  const h = importRunnerHarness('ferry_ut_split');
  const { newTask, checkpoint, eventCount, statusEvents } = h;
  const signal = () => new AbortController().signal;

  /**
   * 3,000 rows, with quoted cells holding commas and line breaks, blank lines, rows with no
   * event_name (row errors), a lenient leading blank (a warning), and repeats of earlier ids.
   */
  function trickyCsv(rows = 3000): string {
    const out = [HEADER];
    for (let i = 0; i < rows; i++) {
      const id = i % 500 === 499 ? `evt-${i - 400}` : `evt-${i}`; // a repeat: a duplicate
      const name = i % 97 === 0 ? '' : i % 5 === 0 ? '"api, call\nsecond line"' : 'api_call';
      const customer = i % 211 === 0 ? ' cust-lenient' : `cust-${i % 7}`;
      out.push(`${id},${name},${customer},2024-01-31T12:00:00Z,${i}`);
      if (i % 333 === 0) out.push('');
    }
    return out.join('\n') + '\n';
  }

  /** A runner whose split publishes into `sent` instead of JetStream. */
  function splitRunner(sent: TaskPartEvent[], partBytes = 16 * 1024): ImportRunner {
    return h.runner({
      split: {
        partBytes,
        pollMs: 50,
        publish: async (part) => {
          sent.push(part);
        },
      },
    });
  }

  async function rowErrors(taskId: string) {
    const rows: Array<{ row_number: string; error_message: string }> = await h.db.ds.query(
      'SELECT row_number, error_message FROM task_row_errors WHERE task_id = $1 ORDER BY row_number',
      [taskId],
    );
    return rows.map((r) => [Number(r.row_number), r.error_message]);
  }

  async function warnings(taskId: string) {
    const rows: Array<{ row_number: string }> = await h.db.ds.query(
      'SELECT row_number FROM task_row_warnings WHERE task_id = $1 ORDER BY row_number',
      [taskId],
    );
    return rows.map((r) => Number(r.row_number));
  }

  async function storedIds(task: TaskCreatedEvent): Promise<string[]> {
    const rows: Array<{ id: string }> = await h.db.ds.query(
      'SELECT id FROM events WHERE environment_id = $1 ORDER BY id',
      [task.environment_id],
    );
    return rows.map((r) => r.id);
  }

  const ranged = (body: string, etag?: string) => ({ body, ranges: true, etag });

  /** The split task's checkpoint and rows are those of the same file read by one importer. */
  async function expectAsOneImporter(task: TaskCreatedEvent, body: string): Promise<void> {
    const whole = await newTask(body);
    await h.runner().run(whole, { signal: signal() });
    const [a, b] = [await checkpoint(whole.task_id), await checkpoint(task.task_id)];
    expect({ ...b, seq: 0 }).toEqual({ ...a, seq: 0 });
    expect(await storedIds(task)).toEqual(await storedIds(whole));
  }

  it('three importers read the parts of one file: the same rows, counters, errors and lines as one importer', async () => {
    const body = trickyCsv();
    // The reference: the same file read whole by one importer.
    const whole = await newTask(body);
    await h.runner().run(whole, { signal: signal() });

    const sent: TaskPartEvent[] = [];
    const task = await newTask(ranged(body));
    const coordinator = splitRunner(sent).run(task, { signal: signal() });
    await waitFor(() => sent.length > 0, 'the part messages');
    await sleep(50);
    const parts = sent.length;
    expect(parts).toBeGreaterThanOrEqual(5);
    expect(sent.map((p) => p.part)).toEqual(Array.from({ length: parts }, (_, k) => k + 1));
    // Three importers take the parts as a work queue would hand them out.
    const importers = [splitRunner([]), splitRunner([]), splitRunner([])];
    const queue = [...sent];
    await Promise.all(
      importers.map(async (importer) => {
        for (let p = queue.shift(); p; p = queue.shift()) {
          await importer.runPart(p, { signal: signal() });
        }
      }),
    );
    await coordinator;

    const [a, b] = [await checkpoint(whole.task_id), await checkpoint(task.task_id)];
    expect({ ...b, seq: 0 }).toEqual({ ...a, seq: 0 });
    expect(Number(b?.failed)).toBeGreaterThan(20);
    expect(Number(b?.duplicates)).toBe(6);
    expect(await rowErrors(task.task_id)).toEqual(await rowErrors(whole.task_id));
    expect(await warnings(task.task_id)).toEqual(await warnings(whole.task_id));
    expect(await storedIds(task)).toEqual(await storedIds(whole));
    expect(await eventCount(task)).toBe(await eventCount(whole));

    // The news: seq rising, counters never falling, total known early, one `completed` at the end.
    const events = await statusEvents(task.task_id);
    for (let i = 1; i < events.length; i++) {
      expect(events[i].seq).toBeGreaterThan(events[i - 1].seq);
      expect(events[i].counters.processed_records).toBeGreaterThanOrEqual(
        events[i - 1].counters.processed_records,
      );
    }
    const progress = events.filter((e) => e.kind === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(parts);
    expect(progress[0].counters.total_records).toBe(3000);
    const done = events.filter((e) => e.kind === 'completed');
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(done[0].counters).toEqual({
      processed_records: 3000,
      successful_records: Number(a?.successful),
      failed_records: Number(a?.failed),
      total_records: 3000,
    });
    expect(done[0].error_summary).toMatch(/^row 2: /);
  });

  it('a part whose delivery dies half way is read again from its checkpoint: nothing twice', async () => {
    const body = trickyCsv(4000);
    const sent: TaskPartEvent[] = [];
    // A slow origin (4 KiB every 20 ms), so that the part is stopped half way.
    const task = await newTask({ ...ranged(body), chunkBytes: 4096, delayMs: 20 });
    const coordinator = splitRunner(sent, 64 * 1024).run(task, { signal: signal() });
    await waitFor(() => sent.length > 0, 'the part messages');
    await sleep(50);
    // Part 1's first delivery is stopped (a worker shutting down) after its first batches.
    const dying = new AbortController();
    const first = splitRunner([]).runPart(sent[0], { signal: dying.signal });
    for (let i = 0; i < 200; i++) {
      const [row] = await h.db.ds.query(
        'SELECT processed FROM task_checkpoints WHERE task_id = $1 AND part = 1',
        [task.task_id],
      );
      if (Number(row?.processed) > 0) break;
      await sleep(10);
    }
    dying.abort(new Error('worker shutting down'));
    await first.catch(() => undefined);
    const [cut] = await h.db.ds.query(
      'SELECT processed, total_records FROM task_checkpoints WHERE task_id = $1 AND part = 1',
      [task.task_id],
    );
    expect(Number(cut.processed)).toBeGreaterThan(0);
    expect(cut.total_records).toBeNull(); // really half way
    for (const p of sent) await splitRunner([]).runPart(p, { signal: signal() });
    await coordinator;
    await expectAsOneImporter(task, body);
  });

  it('a part delivered twice at once: one is fenced, the rows land once', async () => {
    const body = trickyCsv(3000);
    const sent: TaskPartEvent[] = [];
    const task = await newTask(ranged(body));
    const coordinator = splitRunner(sent).run(task, { signal: signal() });
    await waitFor(() => sent.length > 0, 'the part messages');
    await sleep(50);
    await Promise.all(
      [...sent, ...sent].map((p) => splitRunner([]).runPart(p, { signal: signal() })),
    );
    for (const p of sent) await splitRunner([]).runPart(p, { signal: signal() });
    await coordinator;
    await expectAsOneImporter(task, body);
  });

  it('reads a file as one part when it cannot be split: no ranges, too small, a quote never closed', async () => {
    const body = trickyCsv(2000);
    for (const file of [
      { body }, // no Accept-Ranges
      ranged(trickyCsv(100)), // smaller than two parts
      ranged(`${body}evt-x,"never closed,cust-1,2024-01-31T12:00:00Z,1\n`),
    ]) {
      const sent: TaskPartEvent[] = [];
      const task = await newTask(file);
      // Were it split, the delivery would wait for parts nobody reads: stop it in time.
      await splitRunner(sent).run(task, { signal: AbortSignal.timeout(20_000) });
      expect(sent).toEqual([]);
      const [row] = await h.db.ds.query(
        'SELECT t.task_status, c.parts FROM tasks t JOIN task_checkpoints c ON c.task_id = t.id AND c.part = 0 WHERE t.id = $1',
        [task.task_id],
      );
      expect(row.parts).toBe(0);
      expect((await checkpoint(task.task_id))?.total_records).not.toBeNull();
    }
  });

  it('fails a large file whose header lacks a required column at once, sending no part', async () => {
    const body = trickyCsv(3000).replace('event_name,', 'name,');
    const sent: TaskPartEvent[] = [];
    const task = await newTask(ranged(body));
    await splitRunner(sent).run(task, { signal: signal() });
    expect(sent).toEqual([]);
    const failed = (await statusEvents(task.task_id)).filter((e) => e.kind === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].error_summary).toMatch(/event_name/);
  });

  it('fails the task with a sentence when the file changes between the scan and a part', async () => {
    const body = trickyCsv(3000);
    const sent: TaskPartEvent[] = [];
    const task = await newTask(ranged(body, '"v1"'));
    const waiting = new AbortController();
    const coordinator = splitRunner(sent).run(task, { signal: waiting.signal });
    await waitFor(() => sent.length > 0, 'the part messages');
    await sleep(50);
    h.files.set(new URL(task.file_url).pathname, ranged(body + body, '"v2"'));
    await splitRunner([]).runPart(sent[0], { signal: signal() });
    const failed = (await statusEvents(task.task_id)).filter((e) => e.kind === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].error_summary).toMatch(
      /could not be read in parts \(it sent the whole file instead of the part asked for: the file changed since Ferry split it/,
    );
    // The status service would now mark the task FAILED, and the waiting delivery would stop.
    waiting.abort(new Error('stopped by the spec'));
    await coordinator.catch(() => undefined);
  });
});
