import { type TestDatabase } from '@ferry/persistence/testing';

import { roundTrip, withoutServerColumns } from '../../testing/export-roundtrip';
import { writerHarness } from '../../testing/writer-db';
import { customersExport } from './customers.export';
import { customersImport } from './customers.import';

const ROWS: Array<Record<string, string>> = [
  {
    external_id: 'c_2',
    name: 'Zed, "the" second',
    email: 'z@example.com',
    address_country: 'de',
    'metadata.tier': 'gold',
    'metadata.note': '=1+1',
  },
  { external_id: 'c_1', name: 'Ann', email: '', address_country: '', 'metadata.tier': '' },
];

describe('customersExport (PostgreSQL)', () => {
  let h: Awaited<ReturnType<typeof writerHarness>>;
  let db: TestDatabase;
  beforeAll(async () => {
    h = await writerHarness();
    db = h.db;
  });
  afterAll(async () => {
    await db.drop();
  });

  it('has the import columns plus id, created_at, updated_at, and stable order by time, external_id, id', () => {
    expect(customersExport.columns.map((c) => c.name)).toEqual([
      'id',
      'external_id',
      'name',
      'email',
      'address_line1',
      'address_line2',
      'address_city',
      'address_state',
      'address_postal_code',
      'address_country',
      'metadata',
      'created_at',
      'updated_at',
    ]);
    expect(customersExport.timeColumn).toBe('created_at');
    expect(customersExport.tieBreak).toBe('external_id');
  });

  it.each(['csv', 'json'] as const)(
    'round trip (%s view): the export imports into another environment and exports the same',
    async (view) => {
      const { first, second, ignored } = await roundTrip(
        h,
        customersImport,
        customersExport,
        ROWS,
        view,
        [`env_ca_${view}`, `env_cb_${view}`],
      );
      expect(ignored).toEqual([]);
      expect(first.map((r) => r['external_id'])).toEqual(['c_1', 'c_2']);
      expect(first[1]).toMatchObject({
        name: 'Zed, "the" second',
        address_country: 'DE',
        address_line1: '',
      });
      expect(JSON.parse(first[1]['metadata'])).toEqual({ tier: 'gold', note: '=1+1' });
      // A blank metadata.<key> cell is stored as "", as Flexprice stores it (docs/FORMATS.md §2).
      expect(JSON.parse(first[0]['metadata'])).toEqual({ tier: '' });
      expect(first[0]['id']).toMatch(/^cust_/);
      expect(first[0]['created_at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(second.map(withoutServerColumns)).toEqual(first.map(withoutServerColumns));
      expect(second[0]['id']).not.toBe(first[0]['id']);
    },
  );
});
