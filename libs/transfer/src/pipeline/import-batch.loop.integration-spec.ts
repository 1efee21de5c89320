import { derivedId, EntityType, idTime } from '@ferry/contracts';

import {
  counters,
  eventsCsv,
  expectMonotonic,
  HEADER,
  importRunnerHarness,
} from '../testing/import-runner.harness';

jest.setTimeout(30_000);

/**
 * The batch loop as an import runs it (ImportBatchLoop behind ImportRunner): rows written once,
 * batches cut by size, characters and time, rejected rows kept and summed up. What every delivery
 * does around it (skip, resume, cancel, fail) is import.runner.integration-spec.ts.
 */
describe('ImportBatchLoop (PostgreSQL, NATS, loopback HTTP)', () => {
  const h = importRunnerHarness('ferry_ut_batches');
  const { runner, newTask, statusEvents, checkpoint, eventCount, requestsFor } = h;

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

      const rows: Array<Record<string, unknown>> = await h.db.ds.query(
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
        expect.objectContaining({ event_name: 'login', source: null, properties: { plan: '' } }),
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
          metadata: {
            ignored_columns: ['extra'],
            duplicates: 0,
            warnings: 0,
            created: 250,
            updated: 0,
            unchanged: 0,
          },
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
      const [c]: Array<{ n: string; second: string; emails: string }> = await h.db.ds.query(
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
      const [{ n, first }]: Array<{ n: string; first: string }> = await h.db.ds.query(
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
        'api_call,c5', // 9: too few cells: read as blank, with a warning (docs/FORMATS.md §1)
        'api_call,,2024-01-01T00:00:00Z,"quoted, ok"', // 10: external_customer_id missing
      ].join('\r\n');
      const task = await newTask(csv);
      await runner({ batchSize: 2 }).run(task, { signal: new AbortController().signal });

      const errors: Array<{ row_number: string; error_code: string; raw: Record<string, string> }> =
        await h.db.ds.query(
          'SELECT row_number, error_code, raw FROM task_row_errors WHERE task_id = $1 ORDER BY row_number',
          [task.task_id],
        );
      expect(errors.map((e) => [Number(e.row_number), e.error_code])).toEqual([
        [5, 'required'],
        [6, 'invalid_value'],
        [10, 'required'],
      ]);
      const warned: Array<{ row_number: string; warning_message: string }> = await h.db.ds.query(
        'SELECT row_number, warning_message FROM task_row_warnings WHERE task_id = $1',
        [task.task_id],
      );
      expect(warned.map((w) => [Number(w.row_number), w.warning_message])).toEqual([
        [
          9,
          'the row has 2 cells but the header has 4 columns: timestamp, properties.note read as absent',
        ],
      ]);
      expect(errors[1].raw).toEqual({
        event_name: 'api_call',
        external_customer_id: 'c3',
        timestamp: 'yesterday',
        'properties.note': 'x',
      });
      expect(await eventCount(task)).toBe(3);

      const events = await statusEvents(task.task_id);
      expectMonotonic(events);
      const done = events.at(-1);
      expect(done?.kind).toBe('completed');
      expect(done?.counters).toEqual(counters(6, 3, 3, 6));
      expect(done?.metadata).toMatchObject({ warnings: 1, created: 3, updated: 0, unchanged: 0 });
      expect(done?.error_summary).toMatch(
        /^row 5: event_name is required; row 6: timestamp "yesterday" is not an RFC 3339 time [^;]+; row 10: external_customer_id is required$/,
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
      const [{ n }]: Array<{ n: string }> = await h.db.ds.query(
        'SELECT count(*) AS n FROM task_row_errors WHERE task_id = $1',
        [task.task_id],
      );
      expect(Number(n)).toBe(15);
    });
  });
});
