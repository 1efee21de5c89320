import { randomBytes } from 'crypto';
import { Readable } from 'stream';

import { readCsvRecords } from '@ferry/files';

import { FerryApi } from '../support/api';
import { downloadErrors } from '../support/errors-csv';
import { type FerrySystem, startFerry } from '../support/ferry-system';

/**
 * Files written the way Flexprice's own importer reads them (Go's encoding/csv with LazyQuotes,
 * FieldsPerRecord = -1, TrimLeadingSpace; its templates' headers), sent with today's Flexprice
 * create body (`upload_id`, `file_provider`, lower-case types): row by row, what is accepted,
 * warned and rejected, and what is stored (issue 13, docs/FORMATS.md §1–2).
 */
describe('a Flexprice user’s own files', () => {
  let ferry: FerrySystem;
  let api: FerryApi;

  beforeAll(async () => {
    ferry = await startFerry({ env: { FERRY_IMPORT_BATCH_SIZE: '4' } });
    api = new FerryApi(ferry.baseUrl, ferry.apiKey);
  });

  afterAll(async () => {
    await ferry?.stop();
  });

  const upload = async (text: string): Promise<string> => {
    const name = `flexprice-${randomBytes(4).toString('hex')}.csv`;
    const res = await fetch(`${ferry.baseUrl}/v1/uploads?file_name=${name}`, {
      method: 'POST',
      headers: { 'x-api-key': ferry.apiKey, 'content-type': 'text/csv' },
      body: text,
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { upload_id: string }).upload_id;
  };

  /** Today's Flexprice create body: upload_id and file_provider, types in lower case. */
  const run = async (entity: string, lines: string[], metadata?: Record<string, unknown>) => {
    const res = await api.createTask({
      task_type: 'import',
      entity_type: entity.toLowerCase(),
      file_type: 'csv',
      file_provider: 'FLEXPRICE',
      upload_id: await upload(lines.join('\n') + '\n'),
      ...(metadata && { metadata }),
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ task_type: 'IMPORT', entity_type: entity.toUpperCase() });
    expect(res.body.file_url).toMatch(/^store:\/\/uploads\/upload_/);
    return api.waitForTask(res.body.id);
  };

  const warnings = async (taskId: string) => {
    const res = await fetch(`${ferry.baseUrl}/v1/tasks/${taskId}/warnings`, {
      headers: { 'x-api-key': ferry.apiKey },
    });
    expect(res.status).toBe(200);
    const rows: string[][] = [];
    for await (const r of readCsvRecords(Readable.from([await res.text()]))) rows.push(r.values);
    return rows;
  };

  const EVENTS = [
    ' event_name, external_customer_id, event_id, timestamp, properties.model', // 1
    'api_call,cus_001,evt_f1,2024-03-01T10:00:00Z,gpt-4', // 2 as written
    'api_call, cus_005,evt_f2,2024-03-01T10:00:01Z,gpt-4', // 3 a blank after the comma
    'api_call,cus_002,evt_f3', // 4 short: timestamp and model absent
    'api_call,cus_003,evt_f4,2024-03-01T10:00:03Z,gpt-4,extra', // 5 long: the extra cell ignored
    'api_call,cus_004,evt_f5,2024-03-01T10:00:04Z,12" screen', // 6 a bare quote inside a field
    'api_call,cus_006,evt_f6,yesterday,gpt-4', // 7 rejected: not a time
    'api_call,cus_007,evt_f7,2024-03-01T10:00:07Z,"say "hi" now"', // 8 a stray quote in a quoted field
  ];

  it('reads an events file as Flexprice does: every leniency a warning on its line', async () => {
    const done = await run('EVENTS', EVENTS);
    expect(done).toMatchObject({
      task_status: 'COMPLETED',
      processed_records: 7,
      successful_records: 6,
      failed_records: 1,
    });
    expect(done.metadata).toMatchObject({ warnings: 6, created: 6, ignored_columns: [] });
    expect(done.error_summary).toMatch(/^row 7: timestamp "yesterday"/);

    const stored = new Map<string, { external_customer_id: string; properties: object }>(
      (
        await ferry.db.query(
          `SELECT id, external_customer_id, properties FROM events WHERE id LIKE 'evt_f%'`,
        )
      ).rows.map((r) => [r.id, r]),
    );
    expect(stored.get('evt_f2')?.external_customer_id).toBe('cus_005'); // not " cus_005"
    expect(stored.get('evt_f3')?.properties).toEqual({ model: '' });
    expect(stored.get('evt_f4')?.properties).toEqual({ model: 'gpt-4' });
    expect(stored.get('evt_f5')?.properties).toEqual({ model: '12" screen' });
    expect(stored.get('evt_f7')?.properties).toEqual({ model: 'say "hi" now' });
    expect(stored.has('evt_f6')).toBe(false);

    const listed = await warnings(done.id);
    expect(listed[0]).toEqual([
      'row_number',
      'warning_message',
      'event_name',
      'external_customer_id',
      'event_id',
      'timestamp',
      'properties.model',
    ]);
    expect(listed.slice(1).map((r) => [r[0], r[1]])).toEqual([
      ['1', expect.stringMatching(/^leading blanks trimmed from event_name, external_customer_id/)],
      ['3', 'leading blanks trimmed from external_customer_id'],
      [
        '4',
        expect.stringMatching(
          /3 cells but the header has 5 columns: timestamp, properties.model read as absent/,
        ),
      ],
      [
        '5',
        expect.stringMatching(
          /6 cells but the header has 5 columns: the 1 extra cells are ignored/,
        ),
      ],
      ['6', 'a stray quote in properties.model read as a character'],
      ['8', 'a stray quote in properties.model read as a character'],
    ]);
    // The rejected-rows file keeps its meaning: only the row that was refused.
    const errors = await downloadErrors(api, done.id);
    expect(errors.rows.map((r) => r['row_number'])).toEqual(['7']);
  });

  it('keeps today’s strict reading with metadata.strict', async () => {
    const done = await run(
      'EVENTS',
      EVENTS.map((l, i) => (i === 0 ? l.replace(/ /g, '') : l.replace(/evt_f/g, 'evt_s'))),
      { strict: true },
    );
    expect(done).toMatchObject({ task_status: 'COMPLETED', successful_records: 2 });
    const errors = await downloadErrors(api, done.id);
    expect(errors.rows.map((r) => [r['row_number'], r['error_code']])).toEqual([
      ['4', 'malformed_row'],
      ['5', 'malformed_row'],
      ['6', 'malformed_row'],
      ['7', 'invalid_value'],
      ['8', 'malformed_row'],
    ]);
    expect(done.metadata.warnings).toBe(0);
    // Cells are kept as written in strict mode.
    const { rows } = await ferry.db.query(
      `SELECT external_customer_id FROM events WHERE id = 'evt_s2'`,
    );
    expect(rows[0].external_customer_id).toBe(' cus_005');
  }, 60_000);

  it('upserts customers from Flexprice’s template, and an identical re-run changes nothing', async () => {
    const file = [
      'external_id,name,email,address_line1,address_city,address_country,metadata.plan', // 1
      'fx_c1,Acme,billing@acme.test,1 Main St,Paris,FR,enterprise', // 2
      'fx_c2,Beta,ops@beta.test,2 Side St,Berlin,DE, enterprise', // 3 a blank before the value
      'fx_c3,Gamma', // 4 short: the rest absent
      'fx_c4,Delta,not-an-email,,,,', // 5 rejected
      'fx_c5,Epsilon,e@eps.test,,,US,', // 6 blank plan: ""
    ];
    const first = await run('CUSTOMERS', file);
    expect(first).toMatchObject({ successful_records: 4, failed_records: 1 });
    expect(first.metadata).toMatchObject({ warnings: 2, created: 4, updated: 0, unchanged: 0 });
    const c = async (id: string) =>
      (await ferry.db.query('SELECT * FROM customers WHERE external_id = $1', [id])).rows[0];
    expect((await c('fx_c2')).metadata).toEqual({ plan: 'enterprise' });
    expect(await c('fx_c3')).toMatchObject({ name: 'Gamma', email: null, metadata: {} });
    expect((await c('fx_c5')).metadata).toEqual({ plan: '' });

    const again = await run('CUSTOMERS', file);
    expect(again.metadata).toMatchObject({ created: 0, updated: 0, unchanged: 4 });
  }, 60_000);

  it('keeps the meter ids a features file brings, so its prices import unchanged', async () => {
    const features = [
      'name,type,lookup_key,unit_singular,unit_plural,meter_id,meter_name,event_name,aggregation_type,aggregation_field,aggregation_multiplier,aggregation_bucket_size,reset_usage', // 1
      'API calls,metered,fx_api,call,calls,meter_FLEX01,API meter,api_call,COUNT,,,,BILLING_PERIOD', // 2
      'Tokens,metered,fx_tokens,token,tokens,meter_FLEX02,Token meter,llm,SUM,tokens,1.0,,', // 3 multiplier off SWM: warned
      'SSO,boolean,fx_sso,,,,,,,,,,NEVER', // 4 reset_usage on a boolean: warned
      'Seats config,config,fx_cfg,,,,,,,,,,', // 5 Flexprice's config type
      'Other,metered,fx_other,,,meter_FLEX01,Dup meter,x,COUNT,,,,', // 6 another feature's meter: refused
    ];
    const f = await run('FEATURES', features);
    expect(f).toMatchObject({ successful_records: 4, failed_records: 1 });
    expect(f.metadata.warnings).toBe(2);
    expect(f.error_summary).toMatch(/^row 6: meter_id "meter_FLEX01" is /);
    const meterOf = async (key: string) =>
      (await ferry.db.query('SELECT meter_id, type FROM features WHERE lookup_key = $1', [key]))
        .rows[0];
    expect(await meterOf('fx_api')).toEqual({ meter_id: 'meter_FLEX01', type: 'metered' });
    expect(await meterOf('fx_cfg')).toEqual({ meter_id: null, type: 'config' });

    const prices = [
      'currency,entity_type,entity_id,type,billing_period,billing_period_count,billing_model,invoice_cadence,amount,meter_id,tier_mode,tiers,transform_quantity_divide_by,transform_quantity_round,price_unit_type,price_unit_config_price_unit,price_unit_config_amount,trial_period,lookup_key', // 1
      'usd,PLAN,plan_1,USAGE,MONTHLY,1,FLAT_FEE,ARREAR,.5,meter_FLEX01,,,,,FIAT,,,,fx_p1', // 2 Flexprice's meter id
      'usd,PLAN,plan_1,USAGE,MONTHLY,1,FLAT_FEE,ARREAR,0.01,meter_FLEX02,VOLUME,,,,FIAT,,,,fx_p2', // 3 tier_mode off TIERED: warned
      'usd,PLAN,plan_1,FIXED,MONTHLY,1,FLAT_FEE,ADVANCE,49,,,,,,FIAT,,,14,fx_p3', // 4 trial_period read
      'usd,PLAN,plan_1,FIXED,MONTHLY,1,FLAT_FEE,ADVANCE,,,,,,,CUSTOM,credits,100,,fx_p4', // 5 CUSTOM unit
      'usd,PLAN,plan_1,USAGE,MONTHLY,1,FLAT_FEE,ARREAR,1,meter_NOWHERE,,,,,FIAT,,,,fx_p5', // 6 rejected
    ];
    const p = await run('PRICES', prices);
    expect(p).toMatchObject({ successful_records: 4, failed_records: 1 });
    expect(p.metadata).toMatchObject({ warnings: 1, created: 4 });
    expect(p.error_summary).toMatch(/^row 6: meter_id "meter_NOWHERE" names no meter/);
    const price = async (key: string) =>
      (
        await ferry.db.query(
          'SELECT amount::text, meter_id, tier_mode, trial_period_days, price_unit_config_amount::text FROM prices WHERE lookup_key = $1',
          [key],
        )
      ).rows[0];
    expect(await price('fx_p1')).toMatchObject({ amount: '0.5', meter_id: 'meter_FLEX01' });
    expect(await price('fx_p2')).toMatchObject({ tier_mode: null });
    expect(await price('fx_p3')).toMatchObject({ trial_period_days: 14 });
    expect(await price('fx_p4')).toMatchObject({ amount: null, price_unit_config_amount: '100' });

    const again = await run('PRICES', prices);
    expect(again).toMatchObject({ successful_records: 4, failed_records: 1 });
    expect(again.metadata).toMatchObject({ created: 0, unchanged: 4 });
  }, 90_000);

  it('refuses an upload_id the environment never uploaded, naming it', async () => {
    const res = await api.createTask({
      task_type: 'IMPORT',
      entity_type: 'EVENTS',
      file_type: 'CSV',
      upload_id: 'upload_01NOTANUPLOAD0000000000000',
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/upload_id "upload_01NOTANUPLOAD0000000000000"/);
  });
});
