import { parse } from 'papaparse';

import { FerryApi } from '../support/api';
import { type FerrySystem, startFerry } from '../support/ferry-system';
import { FileServer } from '../support/file-server';
import { addTenantKey } from '../support/tenant-key';

type Format = 'CSV' | 'JSON';
type Row = Record<string, unknown>;

/** Columns Ferry assigns (docs/FORMATS.md §1); they differ between environments by design. */
const SERVER_COLUMNS = ['id', 'created_at', 'updated_at', 'meter_id'];

/** Source files with what makes a round trip hard: formula cells, quotes, commas, newlines, JSON. */
const SOURCES: Record<'CUSTOMERS' | 'FEATURES' | 'EVENTS', Record<Format, string>> = {
  CUSTOMERS: {
    CSV:
      'external_id,name,email,address_country,metadata.tier,metadata.note\n' +
      'c_1,"Ann, ""A""",ann@example.com,de,gold,"=SUM(A1)\nline two"\n' +
      'c_2,@Bob,,,,\n',
    JSON: JSON.stringify([
      {
        external_id: 'c_1',
        name: 'Ann, "A"',
        email: 'ann@example.com',
        metadata: { tier: 'gold' },
      },
      { external_id: 'c_2', name: '=Bob', address_country: 'us', metadata: { note: '+1' } },
    ]),
  },
  FEATURES: {
    CSV:
      'name,type,unit_singular,unit_plural,meter_name,event_name,aggregation_type,aggregation_field,aggregation_multiplier,metadata.team\n' +
      'API Calls,metered,call,calls,api calls,api_call,SUM_WITH_MULTIPLIER,tokens,1.5,core\n' +
      'SSO,boolean,,,,,,,,\n',
    JSON: JSON.stringify([
      {
        name: 'API Calls',
        type: 'metered',
        meter_name: 'api calls',
        event_name: 'api_call',
        aggregation_type: 'COUNT',
        reset_usage: 'NEVER',
        metadata: { team: 'core' },
      },
      { name: 'Seats', type: 'static', unit_singular: 'seat', unit_plural: 'seats' },
    ]),
  },
  EVENTS: {
    CSV:
      'event_id,event_name,external_customer_id,timestamp,properties.tokens,properties.note\n' +
      'evt_1,api_call,c_1,2024-01-02T03:04:05Z,10,"say ""hi"", twice"\n' +
      ',=cmd,c_2,2024-01-02T03:04:05.5+01:00,-3,\n',
    JSON: JSON.stringify([
      {
        event_id: 'evt_1',
        event_name: 'api_call',
        external_customer_id: 'c_1',
        properties: { n: 1 },
      },
      { event_name: 'storage', external_customer_id: 'c_2', timestamp: '2024-02-01T00:00:00Z' },
    ]),
  },
};

/** Prices need a meter of the environment they go into: `meterId` is the API Calls meter of A. */
function pricesSource(format: Format, meterId: string): string {
  const usage = {
    currency: 'usd',
    entity_type: 'PLAN',
    entity_id: 'plan_1',
    type: 'USAGE',
    billing_period: 'MONTHLY',
    billing_model: 'TIERED',
    invoice_cadence: 'ARREAR',
    meter_id: meterId,
    lookup_key: 'usage',
  };
  const tiers = [
    { up_to: 100, unit_amount: '0.5' },
    { unit_amount: '0.25', flat_amount: '3' },
  ];
  if (format === 'JSON') {
    return JSON.stringify([
      { ...usage, tiers, metadata: { k: 'v' } },
      {
        ...usage,
        type: 'FIXED',
        billing_model: 'FLAT_FEE',
        invoice_cadence: 'ADVANCE',
        amount: '10.50',
        meter_id: null,
        lookup_key: 'pro',
        trial_period_days: 14,
        description: '@risky, "quoted"',
      },
    ]);
  }
  const tiersCell = `"${JSON.stringify(tiers).replace(/"/g, '""')}"`;
  return (
    'currency,entity_type,entity_id,type,billing_period,billing_model,invoice_cadence,amount,meter_id,tiers,lookup_key,start_date,metadata.k\n' +
    `usd,PLAN,plan_1,USAGE,MONTHLY,TIERED,ARREAR,,${meterId},${tiersCell},usage,,v\n` +
    'usd,PLAN,plan_1,FIXED,MONTHLY,FLAT_FEE,ADVANCE,10.50,,,pro,2025-01-01T10:00:00+02:00,\n'
  );
}

/** An export's rows (CSV cells or JSON values) with the server-assigned columns left out. */
function rowsOf(format: Format, text: string): Row[] {
  const rows: Row[] =
    format === 'JSON'
      ? (JSON.parse(text) as Row[])
      : parse<Row>(text, { header: true, skipEmptyLines: true }).data;
  return rows.map((r) =>
    Object.fromEntries(Object.entries(r).filter(([k]) => !SERVER_COLUMNS.includes(k))),
  );
}

/**
 * The round trip (issue 4): for each entity type and file type, import a file into environment A,
 * export it, upload the export into environment B, import it there, export again: the two exports
 * are the same but for server-assigned ids and times. Prices name meters by id, so the prices
 * export has A's meter ids replaced by B's (found by lookup_key in the two features exports).
 */
describe('round trip of every entity type between two environments (CSV and JSON)', () => {
  let ferry: FerrySystem;
  let files: FileServer;

  beforeAll(async () => {
    files = await new FileServer().start();
    ferry = await startFerry();
  });

  afterAll(async () => {
    await ferry?.stop();
    await files?.stop();
  });

  async function environment(): Promise<FerryApi> {
    return new FerryApi(ferry.baseUrl, await addTenantKey(ferry, ['task:read', 'task:write']));
  }

  async function run(client: FerryApi, body: Row) {
    const res = await client.createTask(body);
    expect(res.status).toBe(202);
    const task = await client.waitForTask(res.body.id, 30_000);
    if (task.task_status !== 'COMPLETED') throw new Error(`task failed: ${task.error_summary}`);
    return task;
  }

  async function exportText(client: FerryApi, entity: string, format: Format): Promise<string> {
    const task = await run(client, {
      task_type: 'EXPORT',
      entity_type: entity,
      file_type: format,
      file_url: 'store://exports/',
    });
    const link = await client.request('GET', `/v1/tasks/${task.id}/download`);
    expect(link.status).toBe(200);
    const got = await fetch(link.body.download_url);
    expect(got.status).toBe(200);
    return got.text();
  }

  /** Uploads a file into the client's environment and imports it; returns the finished task. */
  async function importText(client: FerryApi, entity: string, format: Format, text: string) {
    const name = `${entity.toLowerCase()}.${format.toLowerCase()}`;
    const up = await fetch(`${ferry.baseUrl}/v1/uploads?file_name=${name}`, {
      method: 'POST',
      headers: { 'x-api-key': client.apiKey },
      body: text,
    });
    expect(up.status).toBe(201);
    const { file_url } = (await up.json()) as { file_url: string };
    const task = await run(client, {
      task_type: 'IMPORT',
      entity_type: entity,
      file_type: format,
      file_url,
    });
    expect(task.failed_records).toBe(0);
    return task;
  }

  /** Import into A, export, import the export into B, export: returns both exports. */
  async function roundTrip(
    a: FerryApi,
    b: FerryApi,
    entity: string,
    format: Format,
    source: string,
    adapt: (exported: string) => string = (t) => t,
  ): Promise<{ first: string; second: string }> {
    // Every column the source gave comes out again (`metadata.k` as `metadata`, …).
    const given =
      format === 'JSON'
        ? (JSON.parse(source) as Row[]).flatMap((r) => Object.keys(r))
        : source.split('\n')[0].split(',');
    const exportedColumns = (text: string) =>
      format === 'JSON'
        ? Object.keys((JSON.parse(text) as Row[])[0])
        : text.split('\n')[0].split(',');
    const imported = await importText(a, entity, format, source);
    expect(imported.successful_records).toBe(2);
    const first = await exportText(a, entity, format);
    const columns = exportedColumns(first);
    for (const c of new Set(given.map((g) => g.replace(/\..*$/, '')))) expect(columns).toContain(c);
    const reimported = await importText(b, entity, format, adapt(first));
    expect(reimported.successful_records).toBe(2);
    // Only EVENTS lists its server column (created_at); the others ignore theirs silently.
    expect(reimported.metadata.ignored_columns ?? []).toEqual(
      entity === 'EVENTS' ? ['created_at'] : [],
    );
    const second = await exportText(b, entity, format);
    expect(rowsOf(format, second)).toEqual(rowsOf(format, first));
    expect(rowsOf(format, first)).toHaveLength(2);
    return { first, second };
  }

  /** lookup_key → meter_id of a features export. */
  function meterIds(format: Format, text: string): Map<string, string> {
    const rows: Row[] =
      format === 'JSON'
        ? (JSON.parse(text) as Row[])
        : parse<Row>(text, { header: true, skipEmptyLines: true }).data;
    return new Map(
      rows
        .filter((r) => r['meter_id'])
        .map((r) => [String(r['lookup_key']), String(r['meter_id'])]),
    );
  }

  it.each<Format>(['CSV', 'JSON'])('%s: CUSTOMERS, FEATURES, PRICES and EVENTS', async (format) => {
    const [a, b] = [await environment(), await environment()];

    const customers = await roundTrip(a, b, 'CUSTOMERS', format, SOURCES.CUSTOMERS[format]);
    if (format === 'CSV') {
      expect(customers.first.split('\n')[0]).toBe(
        'id,external_id,name,email,address_line1,address_line2,address_city,address_state,address_postal_code,address_country,metadata,created_at,updated_at',
      );
      expect(customers.first).toContain(`'@Bob`); // formula guard, undone by the import
    } else {
      expect(rowsOf(format, customers.first)[1]).toMatchObject({
        name: '=Bob',
        address_country: 'US',
        metadata: { note: '+1' },
      });
    }

    const features = await roundTrip(a, b, 'FEATURES', format, SOURCES.FEATURES[format]);
    const metersA = meterIds(format, features.first);
    const metersB = meterIds(format, features.second);
    const meterA = metersA.get('api_calls');
    const meterB = metersB.get('api_calls');
    if (!meterA || !meterB) throw new Error('the metered feature has no meter_id in an export');
    // The features export carries meter_id, and an import keeps it (issue 13): same ids in B.
    expect(meterB).toBe(meterA);
    expect(rowsOf(format, features.first)[0]).toMatchObject(
      format === 'CSV'
        ? { aggregation_multiplier: '1.5', reset_usage: 'BILLING_PERIOD', unit_plural: 'calls' }
        : { aggregation_type: 'COUNT', reset_usage: 'NEVER', metadata: { team: 'core' } },
    );

    // So the prices export imports into B unchanged: no meter ids to map.
    const prices = await roundTrip(a, b, 'PRICES', format, pricesSource(format, meterA));
    // Both prices were written by one batch (one created_at): ordered by lookup_key.
    const [pro, usage] = rowsOf(format, prices.first);
    expect(pro).toMatchObject({ lookup_key: 'pro', currency: 'USD', amount: '10.50' });
    expect(usage).toMatchObject({ lookup_key: 'usage', tier_mode: 'VOLUME' });
    const tiers = usage['tiers'];
    expect(typeof tiers === 'string' ? JSON.parse(tiers) : tiers).toEqual([
      { up_to: 100, unit_amount: '0.5', flat_amount: null },
      { up_to: null, unit_amount: '0.25', flat_amount: '3' },
    ]);
    expect(prices.second).toContain(meterB);

    await roundTrip(a, b, 'EVENTS', format, SOURCES.EVENTS[format]);
  });

  it('a prices export imported into another environment without mapping meter ids: not_found rows', async () => {
    const [a, b] = [await environment(), await environment()];
    await importText(a, 'FEATURES', 'CSV', SOURCES.FEATURES.CSV);
    const meterA = meterIds('CSV', await exportText(a, 'FEATURES', 'CSV')).get('api_calls');
    if (!meterA) throw new Error('no meter');
    await importText(a, 'PRICES', 'CSV', pricesSource('CSV', meterA));
    const exported = await exportText(a, 'PRICES', 'CSV');
    await importText(b, 'FEATURES', 'CSV', SOURCES.FEATURES.CSV);
    const up = await fetch(`${ferry.baseUrl}/v1/uploads?file_name=p.csv`, {
      method: 'POST',
      headers: { 'x-api-key': b.apiKey },
      body: exported,
    });
    const { file_url } = (await up.json()) as { file_url: string };
    const res = await b.createTask({
      task_type: 'IMPORT',
      entity_type: 'PRICES',
      file_type: 'CSV',
      file_url,
    });
    const task = await b.waitForTask(res.body.id, 30_000);
    expect(task.task_status).toBe('COMPLETED');
    expect(task.successful_records).toBe(1);
    expect(task.failed_records).toBe(1);
    const errors = await b.request('GET', `/v1/tasks/${task.id}/errors`);
    expect(String(errors.body)).toContain('not_found');
  });
});
