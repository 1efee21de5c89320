import { type TestDatabase } from '@ferry/persistence/testing';

import { scopeFor, writerHarness } from '../../testing/writer-db';
import { pricesImport } from './prices.import';

const fixed = {
  currency: 'USD',
  entity_type: 'PLAN',
  entity_id: 'plan_1',
  type: 'FIXED',
  billing_period: 'MONTHLY',
  billing_model: 'FLAT_FEE',
  invoice_cadence: 'ADVANCE',
  amount: '10',
  meter_id: '',
  lookup_key: '',
};

describe('pricesImport.writeBatch (PostgreSQL)', () => {
  let h: Awaited<ReturnType<typeof writerHarness>>;
  let db: TestDatabase;
  beforeAll(async () => {
    h = await writerHarness();
    db = h.db;
    await db.ds.query(
      `INSERT INTO meters (id, tenant_id, environment_id, name, event_name, aggregation_type)
       VALUES ('meter_a', 'tenant_1', 'env_a', 'm', 'e', 'COUNT'), ('meter_other', 'tenant_1', 'env_other', 'm', 'e', 'COUNT')`,
    );
  });
  afterAll(async () => {
    await db.drop();
  });

  it('refuses an unknown meter, another environment’s meter and a taken lookup_key; a second write of the same rows adds nothing', async () => {
    const s = scopeFor('env_a');
    const usage = { ...fixed, type: 'USAGE', invoice_cadence: 'ARREAR' };
    const records = h.records(pricesImport, s, [
      { ...fixed, lookup_key: 'k1' }, // 2
      { ...usage, meter_id: 'meter_a' }, // 3
      { ...usage, meter_id: 'meter_nope' }, // 4
      { ...usage, meter_id: 'meter_other' }, // 5
      { ...fixed, lookup_key: 'k1' }, // 6
    ]);
    const first = await h.write(pricesImport, s, records);
    expect(first.written).toBe(2);
    expect(first.duplicates).toBe(0);
    expect(first.rowErrors.map((e) => [e.row_number, e.code]).sort()).toEqual([
      [4, 'not_found'],
      [5, 'not_found'],
      [6, 'already_exists'],
    ]);
    expect(first.rowErrors.find((e) => e.row_number === 4)?.message).toBe(
      'meter_id "meter_nope" names no meter in this environment',
    );

    const again = await h.write(pricesImport, s, records);
    expect(again.written).toBe(0);
    expect(again.duplicates).toBe(2);
    expect(again.rowErrors).toHaveLength(3);
    const [{ n }] = await db.ds.query(
      `SELECT count(*)::int AS n FROM prices WHERE environment_id = 'env_a'`,
    );
    expect(n).toBe(2);

    // Another task with the same row: unchanged (a re-run is a no-op); with other content: refused.
    const other = scopeFor('env_a');
    const same = await h.write(
      pricesImport,
      other,
      h.records(pricesImport, other, [{ ...fixed, lookup_key: 'k1' }]),
    );
    expect(same).toMatchObject({ written: 0, duplicates: 1, rowErrors: [] });
    expect(same.outcome).toEqual({ created: 0, updated: 0, unchanged: 1 });
    const clash = await h.write(
      pricesImport,
      other,
      h.records(pricesImport, other, [{ ...fixed, amount: '99', lookup_key: 'k1' }]),
    );
    expect(clash.rowErrors[0]).toMatchObject({
      code: 'already_exists',
      message: 'lookup_key "k1" already exists in this environment',
    });
  });
});
