import { getEventListeners } from 'events';

import {
  EntityType,
  FerryError,
  FileType,
  isRetryable,
  type TaskCreatedEvent,
  TaskStatus,
  type TaskStatusEvent,
} from '@ferry/contracts';
import { TaskRepository } from '@ferry/persistence';

import type { EntityImportDefinition } from '../entity-definition';
import { IMPORT_DEFINITIONS } from '../import.registry';
import {
  counters,
  type Definitions,
  eventsCsv,
  expectMonotonic,
  importRunnerHarness,
  sleep,
  waitFor,
} from '../testing/import-runner.harness';

jest.setTimeout(30_000);

/**
 * One delivery of an import task (ImportRunner on TaskDelivery): a file that cannot be imported,
 * deliveries with nothing to do, interrupted and concurrent deliveries, cancel and retry. How the
 * rows of a delivery are batched is import-batch.loop.integration-spec.ts.
 */
describe('ImportRunner (PostgreSQL, NATS, loopback HTTP)', () => {
  const h = importRunnerHarness('ferry_ut_runner');
  const { runner, newTask, statusEvents, checkpoint, eventCount, requestsFor, watchStatus } = h;

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
      h.files.delete(new URL(task.file_url).pathname);
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
      await h.db.ds.query(
        `INSERT INTO task_checkpoints
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
      expect(done?.metadata).toEqual({
        ignored_columns: [],
        duplicates: 0,
        warnings: 0,
        created: total - bad, // every row once, across the deliveries
        updated: 0,
        unchanged: 0,
      });
      expect(done?.error_summary).toMatch(
        /^row 2: event_name is required; row 502: .*; … and 6 more$/,
      );
      expect(await eventCount(task)).toBe(total - bad);
      const [{ n }]: Array<{ n: string }> = await h.db.ds.query(
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
      expect(done?.metadata).toMatchObject({
        ignored_columns: ['legacy'],
        duplicates: 0,
        created: total - 10,
      });
      expect(done?.error_summary).toMatch(
        /^row 1: event_name is required \(the element has no such key\); row 301:/,
      );
      expect(await eventCount(task)).toBe(total - 10);
      const [row]: Array<{ properties: unknown }> = await h.db.ds.query(
        `SELECT properties::text AS properties FROM events WHERE environment_id = $1 AND id = 'j-7'`,
        [task.environment_id],
      );
      expect(row.properties).toBe('{"n": 7, "big": 12345678901234567890}');
      const [cp]: Array<{ columns: string[] }> = await h.db.ds.query(
        'SELECT columns FROM task_checkpoints WHERE task_id = $1',
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
          void h.db.ds.query(`UPDATE tasks SET task_status = 'FAILED' WHERE id = $1`, [
            task.task_id,
          ]);
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
      await h.db.ds.query(
        `UPDATE tasks SET task_status = 'PROCESSING', attempt = 1 WHERE id = $1`,
        [task.task_id],
      );
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

    it('answers a cancel at once and stops within a second while batches commit flat out', async () => {
      // docs/API.md §3: the PUT must not wait for the batches' lock on the task row, and the run
      // must stop at the next batch. Two writers and small batches keep a batch transaction open
      // nearly all the time, which is what made a cancel wait 5-30 s before (issue 16).
      const total = 400_000;
      const task = await newTask(eventsCsv(0, total));
      const tasks = new TaskRepository(h.db.ds);
      const scope = { tenantId: task.tenant_id, environmentId: task.environment_id };
      let busy = 0;
      const stop = watchStatus(task.task_id, (e) => {
        if (e.kind === 'progress') busy++;
      });
      const run = runner({ batchSize: 2_000 }).run(task, { signal: new AbortController().signal });
      await waitFor(() => busy >= 5, 'batches committing', 20_000);
      const t0 = Date.now();
      const result = await tasks.changeStatus(task.task_id, scope, TaskStatus.FAILED, {
        userId: null,
        cancelReason: 'Cancelled by the spec',
        retryMessage: () => {
          throw new Error('not a retry');
        },
      });
      const answered = Date.now() - t0;
      await run;
      const stopped = Date.now() - t0;
      stop();
      expect(result.kind).toBe('cancelled');
      // Measured on the shared 2-core machine: answered in 179 ms and stopped 274 ms after it
      // (with the lock held for whole batches: 1.4 s, and 5-30 s in issue 16's runs).
      expect(answered).toBeLessThan(1_000);
      expect(stopped).toBeLessThan(1_500);
      const atCancel = await checkpoint(task.task_id);
      expect(Number(atCancel?.processed)).toBeLessThan(total);
      expect(await eventCount(task)).toBe(Number(atCancel?.processed));
      process.stdout.write(`cancel answered in ${answered} ms, run stopped ${stopped} ms after\n`);
    });

    it('notices a cancel while the download is stalled and no batch commits', async () => {
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      const task = await newTask({ body: eventsCsv(0, 100), hold: held });
      const run = runner({ cancelCheckMs: 100 }).run(task, {
        signal: new AbortController().signal,
      });
      await waitFor(() => requestsFor(task) === 1, 'the request');
      await h.db.ds.query(`UPDATE tasks SET task_status = 'FAILED' WHERE id = $1`, [task.task_id]);
      const t0 = Date.now();
      await run;
      expect(Date.now() - t0).toBeLessThan(2_000);
      release();
      expect(await eventCount(task)).toBe(0);
    });
  });
});
