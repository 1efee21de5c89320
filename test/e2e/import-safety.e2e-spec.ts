import { randomBytes } from 'crypto';
import http from 'http';
import { type AddressInfo } from 'net';

import { Webhook } from 'standardwebhooks';

import { FerryApi } from '../support/api';
import { DripServer } from '../support/drip-server';
import { downloadErrors } from '../support/errors-csv';
import { type FerrySystem, startFerry } from '../support/ferry-system';
import { FileServer } from '../support/file-server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(
  check: () => Promise<T | null | undefined | false>,
  what: string,
  ms = 30_000,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A loopback webhook receiver that answers 500 to the first `failFirst` attempts of each message. */
class HookReceiver {
  server?: http.Server;
  url = '';
  readonly received: Array<{
    path: string;
    headers: http.IncomingHttpHeaders;
    body: string;
    answered: number;
  }> = [];
  private readonly tries = new Map<string, number>();
  constructor(private readonly failFirst: number) {}
  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const id = String(req.headers['webhook-id']);
        const n = (this.tries.get(id) ?? 0) + 1;
        this.tries.set(id, n);
        const answered = n <= this.failFirst ? 500 : 204;
        this.received.push({ path: req.url ?? '', headers: req.headers, body, answered });
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/hook`;
    return this;
  }
  stop() {
    return new Promise<void>((r) => this.server?.close(() => r()));
  }
}

/**
 * Issue 15 across the four services: dry run, error ratio, atomic imports killed half way,
 * revert of each entity type, a fixed /errors file imported back, and webhooks.
 */
describe('imports you can preview, bound, undo and be told about', () => {
  let ferry: FerrySystem;
  let files: FileServer;
  let api: FerryApi;
  const hooks = new HookReceiver(2);

  beforeAll(async () => {
    files = await new FileServer().start();
    await hooks.start();
    ferry = await startFerry({
      env: {
        FERRY_IMPORT_BATCH_SIZE: '100',
        FERRY_PROGRESS_INTERVAL_MS: '200',
        FERRY_ACK_WAIT_MS: '3000',
        FERRY_NAK_BACKOFF_MS: '300,600,1000',
        FERRY_WEBHOOK_TICK_MS: '100',
        FERRY_WEBHOOK_BACKOFF_MS: '200,200,200',
      },
    });
    api = new FerryApi(ferry.baseUrl, ferry.apiKey);
  }, 120_000);

  afterAll(async () => {
    await ferry?.stop();
    await files?.stop();
    await hooks.stop();
  });

  const importTask = async (
    entity: string,
    body: string,
    metadata: Record<string, unknown> = {},
  ) => {
    const name = `${entity.toLowerCase()}-${randomBytes(4).toString('hex')}.csv`;
    const res = await api.createTask({
      task_type: 'IMPORT',
      entity_type: entity,
      file_type: 'CSV',
      file_url: files.add(name, body),
      metadata,
    });
    expect(res.status).toBe(202);
    return res.body.id as string;
  };
  const run = async (entity: string, body: string, metadata: Record<string, unknown> = {}) =>
    api.waitForTask(await importTask(entity, body, metadata), 60_000);
  const count = async (sql: string, p: unknown[]) =>
    Number((await ferry.db.query(sql, p)).rows[0].n);

  it('refuses bad options at create, naming the key', async () => {
    for (const [metadata, key] of [
      [{ dry_run: 'yes' }, 'metadata.dry_run'],
      [{ max_error_ratio: 2 }, 'metadata.max_error_ratio'],
      [{ atomic: 3 }, 'metadata.atomic'],
      [{ webhook_url: 'ftp://x' }, 'metadata.webhook_url'],
      [{ revert_of: 'task_x' }, 'metadata.revert_of'],
    ] as const) {
      const res = await api.createTask({
        task_type: 'IMPORT',
        entity_type: 'EVENTS',
        file_type: 'CSV',
        file_url: 'http://127.0.0.1:1/x.csv',
        metadata,
      });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.details.fields)).toEqual([key]);
    }
  });

  it('a dry run gives the real run’s counters and /errors and writes nothing', async () => {
    const rows = ['event_id,event_name,external_customer_id,timestamp'];
    for (let i = 0; i < 250; i++) {
      rows.push(`dr-${i % 240},${i % 60 === 0 ? '' : 'call'},c,2024-01-31T12:00:00Z`);
    }
    const csv = rows.join('\n') + '\n';
    const dry = await run('EVENTS', csv, { dry_run: true });
    const real = await run('EVENTS', csv);
    const pick = (t: Record<string, unknown>) => ({
      task_status: t['task_status'],
      processed_records: t['processed_records'],
      successful_records: t['successful_records'],
      failed_records: t['failed_records'],
      total_records: t['total_records'],
      error_summary: t['error_summary'],
      duplicates: (t['metadata'] as Record<string, unknown>)['duplicates'],
    });
    expect(pick(dry)).toEqual(pick(real));
    expect(dry).toMatchObject({
      task_status: 'COMPLETED',
      failed_records: 5,
      metadata: { dry_run: true },
    });
    expect(dry.metadata.duplicates).toBeGreaterThan(0);
    expect((await downloadErrors(api, dry.id)).rows).toEqual(
      (await downloadErrors(api, real.id)).rows,
    );
    expect(await count('SELECT count(*) AS n FROM events WHERE task_id = $1', [dry.id])).toBe(0);
    expect(await count('SELECT count(*) AS n FROM events WHERE task_id = $1', [real.id])).toBe(
      real.successful_records - real.metadata.duplicates,
    );
    // Reverting a dry run is refused: it wrote nothing.
    expect((await api.request('POST', `/v1/tasks/${dry.id}/revert`)).status).toBe(400);
  });

  it('stops on max_error_ratio with a sentence', async () => {
    const rows = ['event_id,event_name,external_customer_id,timestamp'];
    for (let i = 0; i < 20; i++) rows.push(`ra-${i},${i % 2 ? '' : 'call'},c,2024-01-31T12:00:00Z`);
    const done = await run('EVENTS', rows.join('\n'), {
      max_error_ratio: 0.2,
      max_error_ratio_min_rows: 10,
    });
    expect(done.task_status).toBe('FAILED');
    expect(done.error_summary).toMatch(/more than the 0.2 allowed by metadata.max_error_ratio/);
  });

  it('an atomic import killed half way shows no row, then lands every row once', async () => {
    const rows = ['event_id,event_name,external_customer_id,timestamp'];
    for (let i = 0; i < 3000; i++) rows.push(`at-${i},call,cust-${i % 9},2024-01-31T12:00:00Z`);
    const body = rows.join('\n') + '\n';
    const drip = await new DripServer(body, 100_000, 4000).start();
    try {
      const res = await api.createTask({
        task_type: 'IMPORT',
        entity_type: 'EVENTS',
        file_type: 'CSV',
        file_url: drip.url,
        metadata: { atomic: true },
      });
      const id = res.body.id as string;
      await waitFor(async () => (await api.getTask(id)).body.processed_records >= 200, 'batches');
      expect(await count('SELECT count(*) AS n FROM events WHERE task_id = $1', [id])).toBe(0);
      await ferry.kill('importer');
      expect(await count('SELECT count(*) AS n FROM events WHERE task_id = $1', [id])).toBe(0);
      await ferry.start('importer');
      const done = await api.waitForTask(id, 60_000);
      expect(done).toMatchObject({ task_status: 'COMPLETED', successful_records: 3000 });
      expect(done.metadata.duplicates).toBe(0);
      expect(
        await count('SELECT count(DISTINCT id) AS n FROM events WHERE task_id = $1', [id]),
      ).toBe(3000);
    } finally {
      await drip.stop();
    }
  });

  it('reverts customers after a preview, keeping and listing a row changed since; once only', async () => {
    await run('CUSTOMERS', 'external_id,name\nrv-1,Before\n');
    const t1 = await run('CUSTOMERS', 'external_id,name\nrv-1,Changed\nrv-2,New\nrv-3,New\n');
    expect(t1.metadata.changed).toBe(1);
    await run('CUSTOMERS', 'external_id,name\nrv-3,Later\n');
    const preview = await api.request('GET', `/v1/tasks/${t1.id}/revert`);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      would_delete: 1,
      would_restore: 1,
      would_keep: 1,
      revert_task_id: null,
      kept: [expect.objectContaining({ key: 'rv-3' })],
    });
    const created = await api.request('POST', `/v1/tasks/${t1.id}/revert`);
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ task_type: 'IMPORT', metadata: { revert_of: t1.id } });
    expect((await api.request('POST', `/v1/tasks/${t1.id}/revert`)).status).toBe(409);
    const done = await api.waitForTask(created.body.id, 30_000);
    expect(done).toMatchObject({
      task_status: 'COMPLETED',
      processed_records: 3,
      successful_records: 2,
      failed_records: 1,
      metadata: { revert_of: t1.id, reverted: 2, kept: 1, errored: 0 },
    });
    const names = (
      await ferry.db.query(
        "SELECT external_id, name FROM customers WHERE external_id LIKE 'rv-%' ORDER BY external_id",
      )
    ).rows;
    expect(names).toEqual([
      { external_id: 'rv-1', name: 'Before' },
      { external_id: 'rv-3', name: 'Later' },
    ]);
    const errors = await downloadErrors(api, done.id);
    expect(errors.rows).toHaveLength(1);
    expect(errors.rows[0]['external_id']).toBe('rv-3');
  });

  it('reverts events, features and prices', async () => {
    const ev = await run(
      'EVENTS',
      'event_id,event_name,external_customer_id,timestamp\nrx-1,a,c,2024-01-31T12:00:00Z\n',
    );
    const ft = await run(
      'FEATURES',
      'name,type,lookup_key,meter_name,event_name,aggregation_type\nRx,metered,rx,Rx,rx,COUNT\n',
    );
    const pr = await run(
      'PRICES',
      'currency,entity_type,entity_id,type,billing_period,billing_model,invoice_cadence,amount,lookup_key\nUSD,PLAN,p,FIXED,MONTHLY,FLAT_FEE,ADVANCE,1,rx_price\n',
    );
    for (const t of [ev, ft, pr]) {
      const r = await api.request('POST', `/v1/tasks/${t.id}/revert`);
      expect(r.status).toBe(202);
      expect(await api.waitForTask(r.body.id, 30_000)).toMatchObject({
        task_status: 'COMPLETED',
        successful_records: 1,
      });
    }
    expect(await count("SELECT count(*) AS n FROM events WHERE id = 'rx-1'", [])).toBe(0);
    expect(await count("SELECT count(*) AS n FROM features WHERE lookup_key = 'rx'", [])).toBe(0);
    expect(await count("SELECT count(*) AS n FROM meters WHERE event_name = 'rx'", [])).toBe(0);
    expect(await count("SELECT count(*) AS n FROM prices WHERE lookup_key = 'rx_price'", [])).toBe(
      0,
    );
  });

  it('imports a fixed /errors file back as it is: only those rows land', async () => {
    const first = await run(
      'CUSTOMERS',
      'external_id,name,email\nfx-1,One,one@x.test\nfx-2,Two,not-an-email\nfx-3,,three@x.test\n',
    );
    expect(first.failed_records).toBe(2);
    const errors = await downloadErrors(api, first.id);
    const fixed = errors.text
      .replace(/not-an-email/g, 'two@x.test')
      .replace(/(fx-3,),three/, '$1Three,three');
    const again = await run('CUSTOMERS', fixed);
    expect(again).toMatchObject({
      task_status: 'COMPLETED',
      successful_records: 2,
      failed_records: 0,
    });
    expect(again.metadata.ignored_columns).toEqual(['row_number', 'error_code', 'error_message']);
    const rows = (
      await ferry.db.query(
        "SELECT external_id, name, email FROM customers WHERE external_id LIKE 'fx-%' ORDER BY external_id",
      )
    ).rows;
    expect(rows).toEqual([
      { external_id: 'fx-1', name: 'One', email: 'one@x.test' },
      { external_id: 'fx-2', name: 'Two', email: 'two@x.test' },
      { external_id: 'fx-3', name: 'Three', email: 'three@x.test' },
    ]);
  });

  it('POSTs each task end, signed, to the environment’s webhook and the task’s own, retrying until delivered', async () => {
    const reg = await api.request('POST', '/v1/webhooks', { url: `${hooks.url}?env` });
    expect(reg.status).toBe(201);
    expect(reg.body.secret).toMatch(/^whsec_/);
    const envSecret = (await api.request('GET', '/v1/webhooks/secret')).body.secret as string;
    const done = await run(
      'EVENTS',
      'event_id,event_name,external_customer_id,timestamp\nwh-1,a,c,2024-01-31T12:00:00Z\n',
      { webhook_url: `${hooks.url}?task` },
    );
    const failed = await run('EVENTS', 'no_such_column\nx\n');
    expect(failed.task_status).toBe('FAILED');

    const delivered = (taskId: string) =>
      hooks.received.filter((r) => r.answered < 300 && JSON.parse(r.body).data.id === taskId);
    await waitFor(
      async () => delivered(done.id).length === 2 && delivered(failed.id).length === 1,
      'deliveries',
    );
    // Signed per Standard Webhooks: an endpoint's own secret, or the environment's for a task's URL.
    const byEndpoint = new Webhook(reg.body.secret);
    const byTask = new Webhook(envSecret);
    for (const r of hooks.received) {
      const verifier = r.path.endsWith('?env') ? byEndpoint : byTask;
      expect(() => verifier.verify(r.body, r.headers as Record<string, string>)).not.toThrow();
    }
    const completed = delivered(done.id).map((r) => JSON.parse(r.body));
    expect(completed.map((b) => b.type)).toEqual(['task.completed', 'task.completed']);
    expect(completed[0].data).toMatchObject({
      id: done.id,
      task_status: 'COMPLETED',
      successful_records: 1,
    });
    expect(JSON.parse(delivered(failed.id)[0].body).type).toBe('task.failed');
    // Each message: two refused attempts, then one delivered; never delivered twice.
    const ids = new Set(hooks.received.map((r) => String(r.headers['webhook-id'])));
    for (const id of ids) {
      const tries = hooks.received.filter((r) => r.headers['webhook-id'] === id);
      expect(tries.map((t) => t.answered)).toEqual([500, 500, 204]);
    }
    const log = await api.request('GET', `/v1/webhooks/deliveries?task_id=${done.id}`);
    expect(log.status).toBe(200);
    expect(log.body.items).toHaveLength(2);
    for (const d of log.body.items) {
      expect(d).toMatchObject({ state: 'delivered', attempts: 3 });
      expect(d.attempt_log.map((a: { status_code: number }) => a.status_code)).toEqual([
        500, 500, 204,
      ]);
    }
  });
});
