import { type TestDatabase } from '@ferry/persistence/testing';

import { roundTrip, withoutServerColumns } from '../../testing/export-roundtrip';
import { writerHarness } from '../../testing/writer-db';
import { featuresExport } from './features.export';
import { featuresImport } from './features.import';

const ROWS: Array<Record<string, string>> = [
  {
    name: 'API Calls',
    type: 'metered',
    unit_singular: 'call',
    unit_plural: 'calls',
    meter_name: 'api calls',
    event_name: 'api_call',
    aggregation_type: 'SUM_WITH_MULTIPLIER',
    aggregation_field: 'tokens',
    aggregation_multiplier: '1.5',
    reset_usage: 'NEVER',
    'metadata.team': 'core',
  },
  {
    name: 'SSO',
    type: 'boolean',
    unit_singular: '',
    unit_plural: '',
    meter_name: '',
    event_name: '',
    aggregation_type: '',
    aggregation_field: '',
    aggregation_multiplier: '',
    reset_usage: '',
    'metadata.team': '',
  },
];

describe('featuresExport (PostgreSQL)', () => {
  let h: Awaited<ReturnType<typeof writerHarness>>;
  let db: TestDatabase;
  beforeAll(async () => {
    h = await writerHarness();
    db = h.db;
  });
  afterAll(async () => {
    await db.drop();
  });

  it('has the import columns with the inline meter, plus id, meter_id, created_at, updated_at', () => {
    expect(featuresExport.columns.map((c) => c.name)).toEqual([
      'id',
      'name',
      'type',
      'lookup_key',
      'unit_singular',
      'unit_plural',
      'meter_name',
      'event_name',
      'aggregation_type',
      'aggregation_field',
      'aggregation_multiplier',
      'aggregation_bucket_size',
      'reset_usage',
      'metadata',
      'meter_id',
      'created_at',
      'updated_at',
    ]);
    expect(featuresExport.tieBreak).toBe('lookup_key');
  });

  it.each(['csv', 'json'] as const)(
    'round trip (%s view): meter columns come back, the meter keeps its id in the other environment',
    async (view) => {
      const { first, second, ignored } = await roundTrip(
        h,
        featuresImport,
        featuresExport,
        ROWS,
        view,
        [`env_fa_${view}`, `env_fb_${view}`],
      );
      expect(ignored).toEqual([]);
      expect(first.map((r) => r['lookup_key'])).toEqual(['api_calls', 'sso']);
      expect(first[0]).toMatchObject({
        meter_name: 'api calls',
        event_name: 'api_call',
        aggregation_type: 'SUM_WITH_MULTIPLIER',
        aggregation_multiplier: '1.5',
        reset_usage: 'NEVER',
      });
      expect(first[0]['meter_id']).toMatch(/^meter_/);
      expect(first[1]).toMatchObject({ meter_name: '', reset_usage: '', meter_id: '' });
      expect(JSON.parse(first[0]['metadata'])).toEqual({ team: 'core' });
      expect(second.map(withoutServerColumns)).toEqual(first.map(withoutServerColumns));
      expect(second[0]['meter_id']).toBe(first[0]['meter_id']); // issue 13: the file's meter_id travels
    },
  );

  it('selects by the meter event_name', async () => {
    const rows = await db.ds.query(
      `SELECT name FROM ${featuresExport.table} WHERE environment_id = 'env_fa_csv' AND ${featuresExport.filters['event_name']} = 'api_call'`,
    );
    expect(rows).toEqual([{ name: 'API Calls' }]);
  });
});
