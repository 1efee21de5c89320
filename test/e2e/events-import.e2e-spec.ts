import { createHash, randomBytes } from 'crypto';

import { FerryApi } from '../support/api';
import { eventsCsv } from '../support/events-csv';
import { type FerrySystem, startFerry } from '../support/ferry-system';
import { FileServer } from '../support/file-server';
import { addTenantKey } from '../support/tenant-key';

/** The foundation, proven end to end: importing an EVENTS CSV through all four services. */
describe('importing EVENTS from CSV', () => {
  let ferry: FerrySystem;
  let files: FileServer;
  let api: FerryApi;

  beforeAll(async () => {
    files = await new FileServer().start();
    ferry = await startFerry();
    api = new FerryApi(ferry.baseUrl, ferry.apiKey);
  });

  afterAll(async () => {
    await ferry?.stop();
    await files?.stop();
  });

  const importCsv = async (name: string, csv: string) => {
    const res = await api.createTask({
      task_type: 'IMPORT',
      entity_type: 'EVENTS',
      file_type: 'CSV',
      file_url: files.add(name, csv),
      file_name: name,
    });
    expect(res.status).toBe(202);
    return res.body;
  };

  const eventIds = async (taskId: string): Promise<string[]> => {
    const { rows } = await ferry.db.query('SELECT id FROM events WHERE task_id = $1 ORDER BY id', [
      taskId,
    ]);
    return rows.map((r) => r.id as string);
  };

  it('imports a 10,000-row file: COMPLETED, exact counters, every row stored once', async () => {
    const created = await importCsv('ten-thousand.csv', eventsCsv(10_000, 'tk'));
    expect(created).toMatchObject({
      task_status: 'PENDING',
      task_type: 'IMPORT',
      entity_type: 'EVENTS',
    });
    expect(created.id).toMatch(/^task_[0-9A-HJKMNP-TV-Z]{26}$/);

    const done = await api.waitForTask(created.id);
    expect(done).toMatchObject({
      task_status: 'COMPLETED',
      total_records: 10_000,
      processed_records: 10_000,
      successful_records: 10_000,
      failed_records: 0,
      error_summary: null,
    });
    expect(done.started_at).not.toBeNull();
    expect(done.completed_at).not.toBeNull();

    const ids = await eventIds(created.id);
    const expected = Array.from({ length: 10_000 }, (_, i) => `tk_${i}`).sort();
    expect(ids).toHaveLength(10_000);
    expect(checksum(ids)).toBe(checksum(expected));
    const { rows } = await ferry.db.query(
      `SELECT event_name, external_customer_id, timestamp, source, properties FROM events WHERE id = 'tk_42'`,
    );
    expect(rows[0]).toMatchObject({
      event_name: 'api_call',
      external_customer_id: 'cust_42',
      source: 'sdk',
      properties: { region: 'eu-west-0', tokens: '294', model: 'gpt-2' },
    });
    expect((rows[0].timestamp as Date).toISOString()).toBe('2026-01-01T00:00:42.000Z');
  });

  it('counts bad rows and names them by the line they start on', async () => {
    const csv = [
      'event_name,external_customer_id,timestamp,properties.note', // line 1
      'login,c1,2026-03-01T10:00:00Z,fine', // 2 ok
      ',c2,2026-03-01T10:00:00Z,no name', // 3 bad: event_name
      'login,c3,2026-03-01 10:00:00,no zone', // 4 bad: timestamp without zone
      'login,c4,2026-03-01T10:00:00+02:00,"two', // 5 ok, a quoted field over two lines
      'lines"', // 6
      'login,,2026-03-01T10:00:00Z,no customer', // 7 bad: external_customer_id
      'login,c6,,blank time is now', // 8 ok
    ].join('\r\n');
    const created = await importCsv('bad-rows.csv', csv);
    const done = await api.waitForTask(created.id);
    expect(done).toMatchObject({
      task_status: 'COMPLETED',
      total_records: 6,
      processed_records: 6,
      successful_records: 3,
      failed_records: 3,
    });
    expect(done.error_summary).toMatch(/^row 3: .*event_name/);
    expect(done.error_summary).toMatch(/row 4: .*timestamp/);
    expect(done.error_summary).toMatch(/row 7: .*external_customer_id/);

    const { rows } = await ferry.db.query(
      'SELECT row_number, error_code, raw FROM task_row_errors WHERE task_id = $1 ORDER BY row_number',
      [created.id],
    );
    expect(rows.map((r) => Number(r.row_number))).toEqual([3, 4, 7]);
    expect(rows[1].raw).toMatchObject({
      timestamp: '2026-03-01 10:00:00',
      external_customer_id: 'c3',
    });
    const stored = await ferry.db.query(
      `SELECT properties->>'note' AS note FROM events WHERE task_id = $1 AND external_customer_id = 'c4'`,
      [created.id],
    );
    expect(stored.rows[0].note).toBe('two\r\nlines');
  });

  it('shows the counters rising, never falling, while a 200,000-row import runs', async () => {
    const created = await importCsv('two-hundred-thousand.csv', eventsCsv(200_000, 'big'));
    const seen: number[] = [];
    const done = await api.waitForTask(created.id, 180_000, (t) => seen.push(t.processed_records));
    expect(done).toMatchObject({
      task_status: 'COMPLETED',
      processed_records: 200_000,
      successful_records: 200_000,
    });
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    const between = new Set(seen.filter((n) => n > 0 && n < 200_000));
    expect(between.size).toBeGreaterThanOrEqual(2);
    const { rows } = await ferry.db.query(
      'SELECT count(*)::int AS n FROM events WHERE task_id = $1',
      [created.id],
    );
    expect(rows[0].n).toBe(200_000);
  });

  it('writes nothing twice when task.created is delivered again, even from the start of the file', async () => {
    // No event_id column: ids are derived from the task and the line, so a rerun derives the same.
    const csv = [
      'event_name,external_customer_id',
      ...Array.from({ length: 3000 }, (_, i) => `ping,c${i}`),
    ].join('\n');
    const created = await importCsv('no-ids.csv', csv);
    const first = await api.waitForTask(created.id);
    expect(first).toMatchObject({ task_status: 'COMPLETED', successful_records: 3000 });
    const before = await eventIds(created.id);
    expect(before).toHaveLength(3000);

    // A second delivery of the same message is a no-op for a finished task…
    const payload = await outboxPayload(created.id);
    await publishAgain(created.id, payload, 'again');
    await consumerIdle('importer_events');
    expect(await eventIds(created.id)).toEqual(before);
    expect((await api.getTask(created.id)).body).toEqual(first);

    // …and even a rerun from the first row (as if the checkpoint had been lost) stores no row twice.
    await ferry.db.query(
      `UPDATE task_checkpoints SET next_record = 0, processed = 0, successful = 0, failed = 0,
         duplicates = 0, total_records = NULL, error_samples = '[]' WHERE task_id = $1`,
      [created.id],
    );
    await ferry.db.query(
      `UPDATE tasks SET task_status = 'PROCESSING', processed_records = 0, successful_records = 0,
         failed_records = 0, total_records = NULL, completed_at = NULL WHERE id = $1`,
      [created.id],
    );
    await publishAgain(created.id, payload, 'rerun');
    const again = await api.waitForTask(created.id);
    expect(again).toMatchObject({
      task_status: 'COMPLETED',
      processed_records: 3000,
      successful_records: 3000,
    });
    expect(again.metadata.duplicates).toBe(3000);
    expect(await eventIds(created.id)).toEqual(before);
  });

  it('fails the task with a sentence when a required column is missing or the file is unreachable', async () => {
    const missing = await importCsv(
      'no-customer.csv',
      'event_name,timestamp\nlogin,2026-01-01T00:00:00Z\n',
    );
    const failed = await api.waitForTask(missing.id);
    expect(failed.task_status).toBe('FAILED');
    expect(failed.error_summary).toMatch(/external_customer_id/);
    expect(failed.failed_at).not.toBeNull();

    const gone = await api.createTask({
      task_type: 'IMPORT',
      entity_type: 'EVENTS',
      file_type: 'CSV',
      file_url: files.url('nowhere.csv'),
    });
    const gaveUp = await api.waitForTask(gone.body.id);
    expect(gaveUp.task_status).toBe('FAILED');
    expect(gaveUp.error_summary).toMatch(/404/);
  });

  it('exposes what it did as Prometheus metrics on every service', async () => {
    const scrape = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const value = (text: string, series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(series + ' '));
      return line ? Number(line.slice(series.length + 1)) : NaN;
    };
    const importer = await scrape(ferry.ports.importer);
    // The files above: 10,000 + 3 + 200,000 + 3,000 rows stored (and 3,000 again as duplicates).
    expect(value(importer, 'ferry_rows_total{entity_type="EVENTS",outcome="ok"}')).toBe(213_003);
    expect(value(importer, 'ferry_rows_total{entity_type="EVENTS",outcome="rejected"}')).toBe(3);
    expect(value(importer, 'ferry_rows_total{entity_type="EVENTS",outcome="duplicate"}')).toBe(
      3000,
    );
    expect(importer).toMatch(/ferry_batch_write_seconds_count\{entity_type="EVENTS"\} \d+/);
    expect(
      value(importer, 'ferry_consumer_pending{consumer="importer_events",state="pending"}'),
    ).toBe(0);
    expect(
      value(importer, 'ferry_messages_total{consumer="importer_events",outcome="ack"}'),
    ).toBeGreaterThanOrEqual(6);

    const gateway = await scrape(ferry.ports.gateway);
    expect(
      value(
        gateway,
        'ferry_tasks{task_type="IMPORT",entity_type="EVENTS",task_status="COMPLETED"}',
      ),
    ).toBe(4);
    expect(value(gateway, 'ferry_outbox_backlog')).toBe(0);
    const status = await scrape(ferry.ports.status);
    expect(value(status, 'ferry_messages_total{consumer="status",outcome="ack"}')).toBeGreaterThan(
      10,
    );
  });

  async function outboxPayload(taskId: string): Promise<Record<string, unknown>> {
    const { rows } = await ferry.db.query('SELECT payload FROM outbox WHERE msg_id = $1', [taskId]);
    return rows[0].payload;
  }

  /** Waits until the durable consumer has no message pending or unacknowledged. */
  async function consumerIdle(durable: string) {
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const jsm = await jetstreamManager(ferry.nats);
    for (let i = 0; i < 200; i++) {
      const info = await jsm.consumers.info(ferry.subjects.tasksStream, durable);
      if (info.num_pending === 0 && info.num_ack_pending === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`consumer ${durable} still busy`);
  }

  async function publishAgain(taskId: string, payload: Record<string, unknown>, tag: string) {
    const { jetstream } = await import('@nats-io/jetstream');
    const js = jetstream(ferry.nats);
    await js.publish(
      ferry.subjects.taskCreated('IMPORT' as never, 'EVENTS' as never),
      JSON.stringify(payload),
      {
        msgID: `${taskId}:${tag}:${randomBytes(4).toString('hex')}`,
      },
    );
  }
});

describe('the tasks API', () => {
  let ferry: FerrySystem;
  let api: FerryApi;

  beforeAll(async () => {
    ferry = await startFerry({ services: ['gateway'] });
    api = new FerryApi(ferry.baseUrl, ferry.apiKey);
  });

  afterAll(async () => {
    await ferry?.stop();
  });

  const task = (over: Record<string, unknown> = {}) => ({
    task_type: 'IMPORT',
    entity_type: 'EVENTS',
    file_type: 'CSV',
    file_url: 'https://files.example.com/events.csv',
    ...over,
  });

  it('answers 202 with a full TaskResponse, and lists tasks newest first', async () => {
    const a = await api.createTask(task({ file_name: 'a.csv', metadata: { source: 'crm' } }));
    const b = await api.createTask(task({ entity_type: 'CUSTOMERS' }));
    expect(a.status).toBe(202);
    for (const field of TASK_FIELDS) expect(a.body).toHaveProperty(field);
    expect(a.body).toMatchObject({
      file_name: 'a.csv',
      metadata: { source: 'crm' },
      status: 'published',
      total_records: null,
    });

    const list = await api.request('GET', '/v1/tasks?limit=1');
    expect(list.status).toBe(200);
    expect(list.body.pagination).toEqual({ total: 2, limit: 1, offset: 0 });
    expect(list.body.items[0].id).toBe(b.body.id);
    const filtered = await api.request('GET', '/v1/tasks?entity_type=EVENTS');
    expect(filtered.body.items.map((t: { id: string }) => t.id)).toEqual([a.body.id]);
  });

  it.each([
    ['limit=0'],
    ['limit=1001'],
    ['limit=abc'],
    ['offset=-1'],
    ['task_type=FOO'],
    ['entity_type=events'],
    ['task_status=DONE'],
    ['status=gone'],
    ['sort=name'],
    ['order=up'],
    ['start_time=yesterday'],
    ['start_time=2026-02-01T00:00:00Z&end_time=2026-01-01T00:00:00Z'],
  ])('rejects the bad filter %s with a 400 validation_error', async (query) => {
    const res = await api.request('GET', `/v1/tasks?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'validation_error', http_status_code: 400 });
    expect(typeof res.body.message).toBe('string');
  });

  it('rejects a bad body with a 400 naming the field', async () => {
    const res = await api.createTask(task({ task_type: 'DELETE' }));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_error');
    expect(res.body.details.fields).toHaveProperty('task_type');
  });

  it('is 401 without a valid key, in the one error shape', async () => {
    const none = await new FerryApi(ferry.baseUrl, '').request('GET', '/v1/tasks');
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({
      code: 'permission_denied',
      message: expect.any(String),
      http_status_code: 401,
      details: {},
    });
    const wrong = await new FerryApi(ferry.baseUrl, 'fry_not_a_key_at_all').request(
      'GET',
      '/v1/tasks',
    );
    expect(wrong.status).toBe(401);
  });

  it("answers 404 for an unknown task and for another tenant's task alike", async () => {
    const mine = await api.createTask(task());
    const otherKey = await addTenantKey(ferry, ['task:read', 'task:write']);
    const other = new FerryApi(ferry.baseUrl, otherKey);

    const unknown = await api.getTask('task_01JUNKNOWNUNKNOWNUNKNOWNXX');
    const foreign = await other.getTask(mine.body.id);
    expect(unknown.status).toBe(404);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('not_found');
    expect(foreign.body.message).toBe(`Task ${mine.body.id} was not found`);
    const list = await other.request('GET', '/v1/tasks');
    expect(list.body.pagination.total).toBe(0);
  });

  it('serves its OpenAPI document at /docs-json and the UI at /docs, without a key', async () => {
    const doc: any = await (await fetch(`${ferry.baseUrl}/docs-json`)).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.ApiKeyAuth).toEqual({
      type: 'apiKey',
      name: 'x-api-key',
      in: 'header',
    });
    const create = doc.paths['/v1/tasks'].post;
    expect(create.operationId).toBe('createTask');
    expect(Object.keys(create.responses)).toEqual(
      expect.arrayContaining(['202', '400', '401', '403', '409', '429', '500']),
    );
    expect(doc.paths['/v1/tasks'].get.operationId).toBe('listTasks');
    expect(doc.paths['/v1/tasks/{id}'].get.responses['404']).toBeDefined();
    expect(doc.components.schemas.TaskType.enum).toEqual(['IMPORT', 'EXPORT']);
    expect(doc.components.schemas.EntityType.enum).toEqual([
      'EVENTS',
      'PRICES',
      'CUSTOMERS',
      'FEATURES',
    ]);
    expect(doc.components.schemas.TaskStatus.enum).toEqual([
      'PENDING',
      'PROCESSING',
      'COMPLETED',
      'FAILED',
    ]);
    expect(Object.keys(doc.components.schemas.TaskResponse.properties).sort()).toEqual(
      [...TASK_FIELDS].sort(),
    );
    expect(doc.components.schemas.ErrorResponse.required).toMatchObject(
      expect.arrayContaining(['code', 'message', 'http_status_code', 'details']),
    );
    // Every API endpoint is documented: an operation id, and its errors in the one shape.
    for (const [route, ops] of Object.entries<any>(doc.paths)) {
      if (!route.startsWith('/v1/')) continue;
      for (const [method, op] of Object.entries<any>(ops)) {
        expect(`${method} ${route} ${op.operationId}`).toMatch(/ \w+$/);
        const errors = Object.keys(op.responses).filter((c) => Number(c) >= 400);
        expect(`${method} ${route}: ${errors.join(',')}`).toMatch(/\d{3}/);
      }
    }
    for (const route of [
      '/v1/tasks/{id}/status',
      '/v1/tasks/{id}/errors',
      '/v1/tasks/{id}/download',
      '/v1/tasks/{id}/events',
      '/v1/uploads',
    ]) {
      expect(Object.keys(doc.paths)).toContain(route);
    }
    expect(doc.paths['/v1/tasks/{id}/status'].put.operationId).toBe('updateTaskStatus');
    expect(doc.paths['/v1/tasks/{id}/download'].get.operationId).toBe('downloadTaskExport');
    const ui = await fetch(`${ferry.baseUrl}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger/i);
  });

  it('is 403 for a key without the permission', async () => {
    const readOnly = new FerryApi(ferry.baseUrl, await addTenantKey(ferry, ['task:read']));
    const res = await readOnly.createTask(task());
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('permission_denied');
  });
});

const TASK_FIELDS = [
  'id',
  'task_type',
  'entity_type',
  'file_url',
  'file_name',
  'file_type',
  'task_status',
  'total_records',
  'processed_records',
  'successful_records',
  'failed_records',
  'error_summary',
  'metadata',
  'started_at',
  'completed_at',
  'failed_at',
  'tenant_id',
  'environment_id',
  'status',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
  'workflow_id',
  'scheduled_task_id',
];

function checksum(ids: string[]): string {
  return createHash('sha256').update(ids.join('\n')).digest('hex');
}
