import { type TestDatabase } from '@ferry/persistence/testing';

import { scopeFor, writerHarness } from '../../testing/writer-db';
import { customersImport } from './customers.import';

describe('customersImport.writeBatch (PostgreSQL)', () => {
  let h: Awaited<ReturnType<typeof writerHarness>>;
  let db: TestDatabase;
  beforeAll(async () => {
    h = await writerHarness();
    db = h.db;
  });
  afterAll(async () => {
    await db.drop();
  });

  const get = async (env: string, externalId: string) =>
    (
      await db.ds.query('SELECT * FROM customers WHERE environment_id = $1 AND external_id = $2', [
        env,
        externalId,
      ])
    )[0];

  it('inserts new customers, then updates only the columns a later file has', async () => {
    const s = scopeFor('env_a');
    const first = h.records(customersImport, s, [
      {
        external_id: 'c1',
        name: 'One',
        email: 'one@x.test',
        address_city: 'Paris',
        'metadata.a': '1',
        'metadata.b': '2',
      },
    ]);
    expect(await h.write(customersImport, s, first)).toEqual({
      written: 1,
      duplicates: 0,
      rowErrors: [],
      changed: 0, // a new customer: no before-image
      outcome: { created: 1, updated: 0, unchanged: 0 },
    });
    // The same row again changes nothing (an identical re-run is a no-op).
    expect((await h.write(customersImport, s, first)).outcome).toEqual({
      created: 0,
      updated: 0,
      unchanged: 1,
    });
    const later = h.records(customersImport, scopeFor('env_a'), [
      { external_id: 'c1', name: 'Uno', address_city: '', 'metadata.a': '', 'metadata.c': '3' },
    ]);
    await h.write(customersImport, s, later);
    expect(await get('env_a', 'c1')).toMatchObject({
      id: first[0].id,
      name: 'Uno',
      email: 'one@x.test',
      address_city: null,
    });
    // A blank metadata.<key> cell is stored as "", as Flexprice stores it (docs/FORMATS.md §2).
    expect((await get('env_a', 'c1')).metadata).toEqual({ a: '', b: '2', c: '3' });
  });

  it('folds rows repeating an external_id in one batch in file order, whatever columns each has', async () => {
    const s = scopeFor('env_b');
    const rows = [
      ...h.records(
        customersImport,
        s,
        [{ external_id: 'c2', name: 'A', email: 'a@x.test', 'metadata.k': 'v1' }],
        2,
      ),
      ...h.records(
        customersImport,
        s,
        [{ external_id: 'c2', name: 'B', metadata: '{"j":"w"}' }],
        3,
      ),
    ];
    expect((await h.write(customersImport, s, rows)).written).toBe(2);
    expect(await get('env_b', 'c2')).toMatchObject({
      name: 'B',
      email: 'a@x.test',
      metadata: { k: 'v1', j: 'w' },
    });
  });

  it('applies each row of a mixed batch by its own columns (as JSON elements with other keys)', async () => {
    const s = scopeFor('env_e');
    const seed = { name: 'Old', email: 'old@x.test', address_city: 'Rome', 'metadata.k': '1' };
    await h.write(
      customersImport,
      s,
      h.records(customersImport, s, [
        { external_id: 'm1', ...seed },
        { external_id: 'm2', ...seed },
        { external_id: 'm3', ...seed },
      ]),
    );
    const later = scopeFor('env_e');
    const batch = [
      // email only: city and metadata kept
      ...h.records(
        customersImport,
        later,
        [{ external_id: 'm1', name: 'N1', email: 'n1@x.test' }],
        2,
      ),
      // a blank city clears it; metadata merges and drops k
      ...h.records(
        customersImport,
        later,
        [{ external_id: 'm2', name: 'N2', address_city: '', 'metadata.k': '', 'metadata.j': '2' }],
        3,
      ),
      // metadata merges without removals; email kept
      ...h.records(
        customersImport,
        later,
        [{ external_id: 'm3', name: 'N3', 'metadata.j': '3' }],
        4,
      ),
      // a new customer among them
      ...h.records(
        customersImport,
        later,
        [{ external_id: 'm4', name: 'N4', 'metadata.k': '' }],
        5,
      ),
    ];
    expect((await h.write(customersImport, later, batch)).written).toBe(4);
    expect(await get('env_e', 'm1')).toMatchObject({
      name: 'N1',
      email: 'n1@x.test',
      address_city: 'Rome',
    });
    expect((await get('env_e', 'm1')).metadata).toEqual({ k: '1' });
    expect(await get('env_e', 'm2')).toMatchObject({
      name: 'N2',
      email: 'old@x.test',
      address_city: null,
    });
    expect((await get('env_e', 'm2')).metadata).toEqual({ j: '2', k: '' });
    expect(await get('env_e', 'm3')).toMatchObject({
      name: 'N3',
      email: 'old@x.test',
      address_city: 'Rome',
    });
    expect((await get('env_e', 'm3')).metadata).toEqual({ k: '1', j: '3' });
    expect(await get('env_e', 'm4')).toMatchObject({ name: 'N4', email: null });
    expect((await get('env_e', 'm4')).metadata).toEqual({ k: '' });
  });

  it('keeps environments apart: the same external_id is two customers', async () => {
    for (const env of ['env_c', 'env_d']) {
      const s = scopeFor(env);
      await h.write(
        customersImport,
        s,
        h.records(customersImport, s, [{ external_id: 'same', name: env }]),
      );
    }
    expect((await get('env_c', 'same')).name).toBe('env_c');
    expect((await get('env_d', 'same')).name).toBe('env_d');
  });
});
