import { createHash, randomBytes } from 'crypto';
import { gzipSync } from 'zlib';

import { FerryApi } from '../support/api';
import { downloadErrors } from '../support/errors-csv';
import { type FerrySystem, startFerry } from '../support/ferry-system';
import { FileServer } from '../support/file-server';

/** CUSTOMERS, FEATURES and PRICES from CSV and JSON through all four services (issue 3). */
describe('importing customers, features and prices', () => {
  let ferry: FerrySystem;
  let files: FileServer;
  let api: FerryApi;

  beforeAll(async () => {
    files = await new FileServer().start();
    ferry = await startFerry({ env: { FERRY_IMPORT_BATCH_SIZE: '3' } });
    api = new FerryApi(ferry.baseUrl, ferry.apiKey);
  });

  afterAll(async () => {
    await ferry?.stop();
    await files?.stop();
  });

  const run = async (entity: string, fileType: 'CSV' | 'JSON', body: string | Buffer) => {
    const name = `${entity.toLowerCase()}-${randomBytes(4).toString('hex')}.${fileType.toLowerCase()}`;
    const res = await api.createTask({
      task_type: 'IMPORT',
      entity_type: entity,
      file_type: fileType,
      file_url: files.add(name, body),
      file_name: name,
    });
    expect(res.status).toBe(202);
    return api.waitForTask(res.body.id);
  };

  const customer = async (externalId: string) =>
    (await ferry.db.query('SELECT * FROM customers WHERE external_id = $1', [externalId])).rows[0];

  describe('CUSTOMERS', () => {
    it('imports a CSV with good and bad rows, naming each bad row by its line', async () => {
      const csv = [
        'external_id,name,email,address_country,metadata.tier,phone', // 1
        'c1,Acme,billing@acme.test,de,gold,123', // 2 ok
        'c2,Beta,not-an-email,US,silver,', // 3 bad email
        'c3,"Gamma, Inc.",ops@gamma.test,FR,"multi', // 4 ok (quoted newline)
        'line",', // 5
        'c4,,x@y.test,US,,', // 6 blank name
        'c5,Delta,d@delta.test,XX,,', // 7 bad country
      ].join('\r\n');
      const done = await run('CUSTOMERS', 'CSV', csv);
      expect(done).toMatchObject({
        task_status: 'COMPLETED',
        total_records: 5,
        processed_records: 5,
        successful_records: 2,
        failed_records: 3,
      });
      expect(done.metadata.ignored_columns).toEqual(['phone']);
      expect(done.error_summary).toMatch(/^row 3: email "not-an-email"/);
      expect(done.error_summary).toMatch(/row 6: name is required/);
      expect(done.error_summary).toMatch(/row 7: address_country "XX"/);

      const c1 = await customer('c1');
      expect(c1).toMatchObject({
        name: 'Acme',
        email: 'billing@acme.test',
        address_country: 'DE',
        metadata: { tier: 'gold' },
      });
      expect(c1.id).toMatch(/^cust_[0-9A-Z]{26}$/);
      expect(c1.environment_id).toBe(done.environment_id);
      expect((await customer('c3')).metadata).toEqual({ tier: 'multi\r\nline' });

      const errors = await downloadErrors(api, done.id);
      expect(errors.status).toBe(200);
      expect(errors.contentType).toMatch(/^text\/csv/);
      expect(errors.header).toEqual([
        'row_number',
        'error_code',
        'error_message',
        'external_id',
        'name',
        'email',
        'address_country',
        'metadata.tier',
        'phone',
      ]);
      expect(errors.rows.map((r) => [r.row_number, r.error_code])).toEqual([
        ['3', 'invalid_value'],
        ['6', 'required'],
        ['7', 'invalid_value'],
      ]);
      expect(errors.rows[0]).toMatchObject({
        external_id: 'c2',
        email: 'not-an-email',
        'metadata.tier': 'silver',
      });
    });

    it('upserts: a blank cell clears, an absent column keeps, metadata merges (CSV then JSON)', async () => {
      await run(
        'CUSTOMERS',
        'CSV',
        'external_id,name,email,address_country,metadata.tier,metadata.size\nu1,Old,old@u.test,GB,gold,big\nu2,Two,two@u.test,NL,,\n',
      );
      const csv = await run(
        'CUSTOMERS',
        'CSV',
        'external_id,name,email,metadata.tier,metadata.plan\nu1,New,,,pro\n',
      );
      expect(csv).toMatchObject({ task_status: 'COMPLETED', successful_records: 1 });
      expect(await customer('u1')).toMatchObject({
        name: 'New',
        email: null, // blank cell: cleared
        address_country: 'GB', // no column: kept
        metadata: { size: 'big', plan: 'pro' }, // tier cleared by its blank cell, plan merged in
      });

      const ndjson = [
        '{"external_id": "u2", "name": "Two B", "metadata": {"region": "eu", "n": 7}}',
        '{"external_id": "u3"}',
        '{"external_id": "u1", "name": "Newer", "email": null, "address_city": "Leeds"}',
        '{"external_id": "u4", "name": "Four", "email": "bad"}',
        'not json at all',
      ].join('\n');
      const failedFile = await run('CUSTOMERS', 'JSON', ndjson);
      expect(failedFile.task_status).toBe('FAILED'); // a line that is not an object breaks the stream
      expect(failedFile.error_summary).toMatch(/not valid JSON: expected an object/);

      const json = await run('CUSTOMERS', 'JSON', ndjson.split('\n').slice(0, 4).join('\n'));
      expect(json).toMatchObject({
        task_status: 'COMPLETED',
        total_records: 4,
        successful_records: 2,
        failed_records: 2,
      });
      expect(await customer('u2')).toMatchObject({
        name: 'Two B',
        email: 'two@u.test', // key absent: kept
        address_country: 'NL',
        metadata: { region: 'eu', n: '7' },
      });
      expect(await customer('u1')).toMatchObject({
        name: 'Newer',
        address_country: 'GB',
        address_city: 'Leeds',
      });
      const errors = await downloadErrors(api, json.id);
      expect(errors.rows.map((r) => [r.row_number, r.error_code, r.external_id])).toEqual([
        ['2', 'required', 'u3'],
        ['4', 'invalid_value', 'u4'],
      ]);
      expect(errors.rows[0].error_message).toMatch(/name is required/);
      expect(errors.header.slice(3)).toEqual(['external_id', 'name', 'email']);
    });
  });

  describe('FEATURES', () => {
    it('imports metered features with their meters from CSV, then updates them from a JSON array', async () => {
      const csv = [
        'name,type,lookup_key,unit_singular,unit_plural,meter_name,event_name,aggregation_type,aggregation_field,aggregation_bucket_size,metadata.team',
        'API Calls,metered,,call,calls,API calls,api_call,SUM,tokens,HOUR,core', // 2
        'SSO,boolean,sso,,,,,,,,auth', // 3
        'Storage,metered,storage,,,Storage,storage_used,MAX,,,', // 4 bad: MAX needs a field
        'Seats,static,seats,seat,,,,,,,', // 5 bad: units both or neither
      ].join('\n');
      const done = await run('FEATURES', 'CSV', csv);
      expect(done).toMatchObject({
        task_status: 'COMPLETED',
        successful_records: 2,
        failed_records: 2,
      });
      const { rows } = await ferry.db.query(
        `SELECT f.*, m.id AS m_id, m.event_name, m.aggregation_type, m.aggregation_field, m.aggregation_bucket_size, m.reset_usage
         FROM features f LEFT JOIN meters m ON m.id = f.meter_id ORDER BY f.lookup_key`,
      );
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({
        lookup_key: 'api_calls',
        type: 'metered',
        unit_singular: 'call',
        event_name: 'api_call',
        aggregation_type: 'SUM',
        aggregation_bucket_size: 'HOUR',
        reset_usage: 'BILLING_PERIOD',
        metadata: { team: 'core' },
      });
      expect(rows[0].id).toMatch(/^feat_/);
      expect(rows[0].m_id).toMatch(/^meter_/);
      expect(rows[1]).toMatchObject({ lookup_key: 'sso', type: 'boolean', meter_id: null });
      const errors = await downloadErrors(api, done.id);
      expect(errors.rows.map((r) => [r.row_number, r.name])).toEqual([
        ['4', 'Storage'],
        ['5', 'Seats'],
      ]);

      const json = JSON.stringify([
        {
          name: 'API Calls',
          type: 'metered',
          lookup_key: 'api_calls',
          meter_name: 'Calls',
          event_name: 'api_call',
          aggregation_type: 'COUNT',
          metadata: { tier: 'all' },
        },
        { name: 'Broken', type: 'metered', event_name: 'x', aggregation_type: 'COUNT' },
        { name: 'Exports', type: 'boolean' },
      ]);
      const update = await run('FEATURES', 'JSON', gzipSync(Buffer.from(json)));
      expect(update).toMatchObject({
        task_status: 'COMPLETED',
        total_records: 3,
        successful_records: 2,
        failed_records: 1,
      });
      expect(update.error_summary).toMatch(/^row 2: meter_name is required/);
      const after = (
        await ferry.db.query(
          `SELECT f.meter_id, f.metadata, m.name, m.aggregation_type, m.aggregation_field FROM features f JOIN meters m ON m.id = f.meter_id WHERE f.lookup_key = 'api_calls'`,
        )
      ).rows[0];
      expect(after).toMatchObject({
        meter_id: rows[0].m_id, // the same meter, updated in place
        name: 'Calls',
        aggregation_type: 'COUNT',
        aggregation_field: null,
        metadata: { team: 'core', tier: 'all' },
      });
      expect((await ferry.db.query(`SELECT count(*)::int AS n FROM meters`)).rows[0].n).toBe(1);
      expect(
        (await ferry.db.query(`SELECT type FROM features WHERE lookup_key = 'exports'`)).rows[0]
          .type,
      ).toBe('boolean');
    });
  });

  describe('PRICES', () => {
    let meterId: string;

    beforeAll(async () => {
      await run(
        'FEATURES',
        'CSV',
        'name,type,lookup_key,meter_name,event_name,aggregation_type\nTokens,metered,tokens,Tokens,token_used,COUNT\n',
      );
      meterId = (await ferry.db.query(`SELECT meter_id FROM features WHERE lookup_key = 'tokens'`))
        .rows[0].meter_id;
    });

    it('inserts prices; amount=abc, an unknown meter and a repeated lookup_key are row errors; a rerun adds nothing', async () => {
      const header =
        'currency,entity_type,entity_id,type,billing_period,billing_model,invoice_cadence,amount,meter_id,lookup_key,metadata.source';
      const csv = [
        header,
        'usd,PLAN,plan_1,FIXED,MONTHLY,FLAT_FEE,ADVANCE,49.00,,pro_monthly,crm', // 2 ok
        `USD,PLAN,plan_1,USAGE,MONTHLY,FLAT_FEE,ARREAR,0.002,${meterId},tokens_usage,`, // 3 ok
        'USD,PLAN,plan_1,FIXED,MONTHLY,FLAT_FEE,ADVANCE,abc,,bad_amount,', // 4 amount=abc
        'USD,PLAN,plan_1,USAGE,MONTHLY,FLAT_FEE,ARREAR,1,meter_01NOSUCHMETER0000000000,,', // 5 not_found
        'USD,PLAN,plan_2,FIXED,ANNUAL,FLAT_FEE,ADVANCE,490,,pro_monthly,', // 6 already_exists
        'USD,ADDON,addon_1,FIXED,ONETIME,FLAT_FEE,ADVANCE,5,,,', // 7 ok
      ].join('\n');
      const done = await run('PRICES', 'CSV', csv);
      expect(done).toMatchObject({
        task_status: 'COMPLETED',
        total_records: 6,
        successful_records: 3,
        failed_records: 3,
      });
      const errors = await downloadErrors(api, done.id);
      expect(errors.rows.map((r) => [r.row_number, r.error_code])).toEqual([
        ['4', 'invalid_value'],
        ['5', 'not_found'],
        ['6', 'already_exists'],
      ]);
      expect(errors.rows[0].error_message).toBe(
        'amount "abc" is not a decimal number such as 12.50 (at most 20 digits before the point and 12 after, not negative)',
      );
      expect(errors.rows[0].amount).toBe('abc');
      const prices = async () =>
        (
          await ferry.db.query(
            `SELECT id, lookup_key, amount, currency, metadata FROM prices WHERE task_id = $1 ORDER BY id`,
            [done.id],
          )
        ).rows;
      const before = await prices();
      expect(before).toHaveLength(3);
      expect(before.find((p) => p.lookup_key === 'pro_monthly')).toMatchObject({
        amount: '49.00',
        currency: 'USD',
        metadata: { source: 'crm' },
      });
      expect(before.every((p) => /^price_[0-9A-Z]{26}$/.test(p.id))).toBe(true);
      expect(
        (await ferry.db.query(`SELECT count(*)::int AS n FROM prices WHERE amount = 0`)).rows[0].n,
      ).toBe(0);

      // A redelivery from the first row (as if the checkpoint were lost) stores nothing twice.
      await ferry.db.query(
        `UPDATE task_checkpoints SET next_record = 0, processed = 0, successful = 0, failed = 0,
           duplicates = 0, total_records = NULL, error_samples = '[]' WHERE task_id = $1`,
        [done.id],
      );
      await ferry.db.query(
        `UPDATE tasks SET task_status = 'PROCESSING', processed_records = 0, successful_records = 0,
           failed_records = 0, total_records = NULL, completed_at = NULL WHERE id = $1`,
        [done.id],
      );
      const { rows } = await ferry.db.query('SELECT payload FROM outbox WHERE msg_id = $1', [
        done.id,
      ]);
      const { jetstream } = await import('@nats-io/jetstream');
      await jetstream(ferry.nats).publish(
        ferry.subjects.taskCreated('IMPORT' as never, 'PRICES' as never),
        JSON.stringify(rows[0].payload),
        { msgID: `${done.id}:rerun` },
      );
      const again = await api.waitForTask(done.id);
      expect(again).toMatchObject({
        task_status: 'COMPLETED',
        successful_records: 3,
        failed_records: 3,
      });
      expect(again.metadata.duplicates).toBe(3);
      expect(await prices()).toEqual(before);
    });

    it('imports prices from a JSON array with nested tiers and metadata', async () => {
      const json = JSON.stringify([
        {
          currency: 'EUR',
          entity_type: 'PLAN',
          entity_id: 'plan_9',
          type: 'USAGE',
          billing_period: 'MONTHLY',
          billing_model: 'TIERED',
          invoice_cadence: 'ARREAR',
          meter_id: meterId,
          tier_mode: 'SLAB',
          tiers: [
            { up_to: 1000, unit_amount: '0.01' },
            { up_to: null, unit_amount: 0.005, flat_amount: '2' },
          ],
          billing_period_count: 1,
          metadata: { source: 'json' },
        },
        {
          currency: 'EUR',
          entity_type: 'PLAN',
          entity_id: 'plan_9',
          type: 'FIXED',
          billing_period: 'MONTHLY',
          billing_model: 'FLAT_FEE',
          invoice_cadence: 'ADVANCE',
          amount: 'abc',
        },
        {
          currency: 'EUR',
          entity_type: 'PLAN',
          entity_id: 'plan_9',
          type: 'FIXED',
          billing_period: 'MONTHLY',
          billing_model: 'FLAT_FEE',
          invoice_cadence: 'ADVANCE',
          amount: 10,
          lookup_key: 'pro_monthly',
        },
      ]);
      const done = await run('PRICES', 'JSON', json);
      expect(done).toMatchObject({
        task_status: 'COMPLETED',
        total_records: 3,
        successful_records: 1,
        failed_records: 2,
      });
      const stored = (
        await ferry.db.query(`SELECT tier_mode, tiers, metadata FROM prices WHERE task_id = $1`, [
          done.id,
        ])
      ).rows;
      expect(stored).toEqual([
        {
          tier_mode: 'SLAB',
          tiers: [
            { up_to: 1000, unit_amount: '0.01', flat_amount: null },
            { up_to: null, unit_amount: '0.005', flat_amount: '2' },
          ],
          metadata: { source: 'json' },
        },
      ]);
      const errors = await downloadErrors(api, done.id);
      expect(errors.rows.map((r) => [r.row_number, r.error_code])).toEqual([
        ['2', 'invalid_value'],
        ['3', 'already_exists'],
      ]);
      expect(errors.rows[1].amount).toBe('10');
    });
  });

  describe('EVENTS from JSON', () => {
    it('imports gzip NDJSON with nested properties, numbers kept as written, bad elements by position', async () => {
      const ndjson = [
        '{"event_id": "j1", "event_name": "call", "external_customer_id": "c1", "timestamp": "2026-01-01T00:00:00Z", "properties": {"tokens": 12345678901234567890, "model": "m"}}',
        '{"event_id": "j2", "external_customer_id": "c1"}',
        '{"event_id": "j3", "event_name": "call", "external_customer_id": "c2", "timestamp": "yesterday"}',
        '{"event_id": "j4", "event_name": "call", "external_customer_id": 42, "properties.region": "eu"}',
      ].join('\n');
      const done = await run('EVENTS', 'JSON', gzipSync(Buffer.from(ndjson)));
      expect(done).toMatchObject({
        task_status: 'COMPLETED',
        total_records: 4,
        successful_records: 2,
        failed_records: 2,
      });
      const { rows } = await ferry.db.query(
        `SELECT id, external_customer_id, properties::text AS p FROM events WHERE task_id = $1 ORDER BY id`,
        [done.id],
      );
      expect(rows).toEqual([
        {
          id: 'j1',
          external_customer_id: 'c1',
          p: '{"model": "m", "tokens": 12345678901234567890}',
        },
        { id: 'j4', external_customer_id: '42', p: '{"region": "eu"}' },
      ]);
      const errors = await downloadErrors(api, done.id);
      expect(errors.rows.map((r) => [r.row_number, r.error_code, r.event_id])).toEqual([
        ['2', 'required', 'j2'],
        ['3', 'invalid_value', 'j3'],
      ]);
    });
  });

  describe('file-level problems', () => {
    it("answers /errors with 404 for another tenant's task", async () => {
      const mine = await run('CUSTOMERS', 'CSV', 'external_id,name\nz1,\n');
      expect(mine.failed_records).toBe(1);
      const n = randomBytes(4).toString('hex');
      const key = `fry_other_${randomBytes(16).toString('hex')}`;
      await ferry.db.query(`INSERT INTO tenants (id, name) VALUES ($1, 'other')`, [`tenant_${n}`]);
      await ferry.db.query(
        `INSERT INTO environments (id, tenant_id, name) VALUES ($1, $2, 'prod')`,
        [`env_${n}`, `tenant_${n}`],
      );
      await ferry.db.query(
        `INSERT INTO api_keys (id, tenant_id, environment_id, user_id, name, key_hash, key_prefix, permissions)
         VALUES ($1, $2, $3, 'user_other', 'other', $4, $5, $6)`,
        [
          `key_${n}`,
          `tenant_${n}`,
          `env_${n}`,
          createHash('sha256').update(key).digest('hex'),
          key.slice(0, 8),
          ['task:read'],
        ],
      );
      const foreign = await downloadErrors(new FerryApi(ferry.baseUrl, key), mine.id);
      expect(foreign.status).toBe(404);
      expect((await downloadErrors(api, mine.id)).rows).toHaveLength(1);
    });

    it.each([
      [
        'a JSON file declared CSV',
        'CUSTOMERS',
        'CSV',
        '[{"external_id":"x","name":"y"}]',
        /looks like JSON.*declares file_type CSV/,
      ],
      [
        'a CSV file declared JSON',
        'CUSTOMERS',
        'JSON',
        'external_id,name\nx,y\n',
        /not JSON: it starts with "e"/,
      ],
      ['an empty CSV file', 'PRICES', 'CSV', '', /empty/],
      ['an empty JSON file', 'FEATURES', 'JSON', '', /empty/],
      [
        'a missing required column',
        'CUSTOMERS',
        'CSV',
        'external_id,email\nx,a@b.test\n',
        /lacks the required column name/,
      ],
      [
        'a JSON array never closed',
        'FEATURES',
        'JSON',
        '[{"name":"a","type":"boolean"},',
        /ends before the closing \]/,
      ],
    ])(
      'fails the task at once for %s, with a sentence',
      async (_name, entity, fileType, body, message) => {
        const done = await run(entity, fileType as 'CSV' | 'JSON', body);
        expect(done.task_status).toBe('FAILED');
        expect(done.error_summary).toMatch(message);
      },
    );

    it('answers /errors with 404 for an unknown task, and a header-only CSV for a task without errors', async () => {
      const missing = await downloadErrors(api, 'task_01JUNKNOWNUNKNOWNUNKNOWNXX');
      expect(missing.status).toBe(404);
      expect(JSON.parse(missing.text)).toMatchObject({ code: 'not_found', http_status_code: 404 });
      const clean = await run('CUSTOMERS', 'CSV', 'external_id,name\nok1,Fine\n');
      const errors = await downloadErrors(api, clean.id);
      expect(errors.text).toBe('row_number,error_code,error_message\n');
    });
  });
});
