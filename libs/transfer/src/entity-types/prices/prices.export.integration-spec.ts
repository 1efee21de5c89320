import { type TestDatabase } from '@ferry/persistence/testing';

import { roundTrip, withoutServerColumns } from '../../testing/export-roundtrip';
import { writerHarness } from '../../testing/writer-db';
import { pricesExport } from './prices.export';
import { pricesImport } from './prices.import';

const base = {
  currency: 'usd',
  entity_type: 'PLAN',
  entity_id: 'plan_1',
  type: 'FIXED',
  billing_period: 'MONTHLY',
  billing_model: 'FLAT_FEE',
  invoice_cadence: 'ADVANCE',
  amount: '10.50',
  meter_id: '',
  tiers: '',
  transform_quantity_divide_by: '',
  trial_period_days: '',
  start_date: '',
  min_quantity: '',
  lookup_key: '',
  description: '',
};

describe('pricesExport (PostgreSQL)', () => {
  let h: Awaited<ReturnType<typeof writerHarness>>;
  let db: TestDatabase;
  beforeAll(async () => {
    h = await writerHarness();
    db = h.db;
  });
  afterAll(async () => {
    await db.drop();
  });

  it('has every import column plus id, created_at, updated_at', () => {
    const names = pricesExport.columns.map((c) => c.name);
    expect(names.slice(0, 2)).toEqual(['id', 'currency']);
    expect(names.slice(-3)).toEqual(['metadata', 'created_at', 'updated_at']);
    expect(names).toHaveLength(30); // the 27 import columns and 3 server-assigned ones
    expect(new Set(names).size).toBe(names.length);
    expect(pricesExport.filters).toEqual({});
  });

  it.each(['csv', 'json'] as const)(
    'round trip (%s view), with meter_id mapped to the meter of the other environment',
    async (view) => {
      const [envA, envB] = [`env_pa_${view}`, `env_pb_${view}`];
      const [meterA, meterB] = [`meter_a_${view}`, `meter_b_${view}`];
      await db.ds.query(
        `INSERT INTO meters (id, tenant_id, environment_id, name, event_name, aggregation_type)
         VALUES ($1, 'tenant_1', $2, 'm', 'e', 'COUNT'), ($3, 'tenant_1', $4, 'm', 'e', 'COUNT')`,
        [meterA, envA, meterB, envB],
      );
      const rows = [
        {
          ...base,
          lookup_key: 'pro',
          trial_period_days: '14',
          start_date: '2025-01-01T10:00:00+02:00',
          min_quantity: '1',
          description: '@risky, "quoted"',
          'metadata.k': 'v',
        },
        {
          ...base,
          type: 'USAGE',
          invoice_cadence: 'ARREAR',
          billing_model: 'TIERED',
          amount: '',
          meter_id: meterA,
          tiers: '[{"up_to":100,"unit_amount":"0.5"},{"unit_amount":"0.25","flat_amount":"3"}]',
          lookup_key: 'usage',
          'metadata.k': '',
        },
        {
          ...base,
          billing_model: 'PACKAGE',
          transform_quantity_divide_by: '10',
          lookup_key: '',
          'metadata.k': '',
        },
      ];
      const { first, second, ignored } = await roundTrip(
        h,
        pricesImport,
        pricesExport,
        rows,
        view,
        [envA, envB],
        (r) => ({ ...r, meter_id: r['meter_id'] === meterA ? meterB : r['meter_id'] }),
      );
      expect(ignored).toEqual([]);
      expect(first.map((r) => r['lookup_key'])).toEqual(['pro', 'usage', '']);
      expect(first[0]).toMatchObject({
        currency: 'USD',
        amount: '10.50',
        billing_period_count: '1',
        trial_period_days: '14',
        start_date: '2025-01-01T08:00:00Z',
        price_unit_type: 'FIAT',
        description: '@risky, "quoted"',
      });
      expect(JSON.parse(first[1]['tiers'])).toEqual([
        { up_to: 100, unit_amount: '0.5', flat_amount: null },
        { up_to: null, unit_amount: '0.25', flat_amount: '3' },
      ]);
      expect(first[1]).toMatchObject({ tier_mode: 'VOLUME', meter_id: meterA });
      expect(first[2]).toMatchObject({ transform_quantity_round: 'up', tiers: '' });
      expect(second[1]['meter_id']).toBe(meterB);
      expect(second.map(withoutServerColumns)).toEqual(first.map(withoutServerColumns));
    },
  );
});
