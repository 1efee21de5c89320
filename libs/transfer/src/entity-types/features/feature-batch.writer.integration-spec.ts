import { type TestDatabase } from '@ferry/persistence/testing';

import { scopeFor, writerHarness } from '../../testing/writer-db';
import { featuresImport } from './features.import';

const meter = { meter_name: 'Calls', event_name: 'call', aggregation_type: 'COUNT' };

describe('featuresImport.writeBatch (PostgreSQL)', () => {
  let h: Awaited<ReturnType<typeof writerHarness>>;
  let db: TestDatabase;
  beforeAll(async () => {
    h = await writerHarness();
    db = h.db;
  });
  afterAll(async () => {
    await db.drop();
  });

  const feature = async (env: string, key: string) =>
    (
      await db.ds.query(
        `SELECT f.*, m.name AS meter_name, m.aggregation_type FROM features f LEFT JOIN meters m ON m.id = f.meter_id
         WHERE f.environment_id = $1 AND f.lookup_key = $2`,
        [env, key],
      )
    )[0];

  it('creates a metered feature and its meter; a later upsert updates the same meter', async () => {
    const s = scopeFor('env_a');
    await h.write(
      featuresImport,
      s,
      h.records(featuresImport, s, [{ name: 'Calls', type: 'metered', ...meter }]),
    );
    const before = await feature('env_a', 'calls');
    expect(before).toMatchObject({
      type: 'metered',
      meter_name: 'Calls',
      aggregation_type: 'COUNT',
      tenant_id: 'tenant_1',
    });
    const s2 = scopeFor('env_a');
    await h.write(
      featuresImport,
      s2,
      h.records(featuresImport, s2, [
        {
          name: 'Calls v2',
          type: 'metered',
          lookup_key: 'calls',
          ...meter,
          aggregation_type: 'SUM',
          aggregation_field: 'n',
        },
      ]),
    );
    const after = await feature('env_a', 'calls');
    expect(after).toMatchObject({
      id: before.id,
      meter_id: before.meter_id,
      name: 'Calls v2',
      aggregation_type: 'SUM',
    });
  });

  it('folds a lookup_key repeated in one batch: the last row wins, metadata from all', async () => {
    const s = scopeFor('env_b');
    const rows = h.records(featuresImport, s, [
      { name: 'Flag', type: 'boolean', 'metadata.a': '1' },
      { name: 'Flag', type: 'static', 'metadata.a': '', 'metadata.b': '2' },
    ]);
    expect((await h.write(featuresImport, s, rows)).written).toBe(2);
    expect(await feature('env_b', 'flag')).toMatchObject({
      type: 'static',
      metadata: { b: '2' },
      meter_id: null,
    });
  });
});
