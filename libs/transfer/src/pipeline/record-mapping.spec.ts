import { FerryError, FileType, type RowError } from '@ferry/contracts';

import type { EntityImportDefinition } from '../entity-definition';
import { type CustomerRecord } from '../entity-types/customers/customer.record';
import { customersImport } from '../entity-types/customers/customers.import';
import { TEST_SCOPE } from '../testing/map-row';
import { RecordMapping, type SourceRecord } from './record-mapping';

const customers = customersImport as EntityImportDefinition<unknown>;

async function* from(records: SourceRecord[]): AsyncGenerator<SourceRecord[]> {
  if (records.length > 0) yield records;
}

function open(fileType: FileType, records: SourceRecord[]) {
  return RecordMapping.open(customers, TEST_SCOPE, fileType, from(records));
}

describe('RecordMapping', () => {
  it.each([
    ['an empty CSV', [], /empty/],
    [
      'JSON declared CSV',
      [{ line: 1, values: ['[{"external_id":"a"'] }],
      /looks like JSON \(it starts with \[\)/,
    ],
    [
      'NDJSON declared CSV',
      [{ line: 1, values: [' {"a":1}'] }],
      /looks like JSON \(it starts with \{\)/,
    ],
    [
      'a broken header',
      [
        {
          line: 1,
          values: ['external_id', 'name'],
          error: 'a quoted field that starts in this row is never closed',
        },
      ],
      /header row is not valid CSV/,
    ],
    [
      'a header without a required column',
      [{ line: 1, values: ['external_id'] }],
      /lacks the required column name/,
    ],
  ])('fails the file for %s', async (_name, records, message) => {
    const err = await open(FileType.CSV, records as SourceRecord[]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).message).toMatch(message);
  });

  it('compiles a CSV header once and keeps its columns and ignored ones', async () => {
    const { mapping, pending } = await open(FileType.CSV, [
      { line: 1, values: ['external_id', 'name', 'fax'] },
      { line: 2, values: ['c1', 'Ann', '1'] },
    ]);
    expect(pending).toHaveLength(1);
    const rec = pending[0];
    expect((mapping.map(rec) as CustomerRecord).externalId).toBe('c1');
    expect(mapping.columns).toEqual(['external_id', 'name', 'fax']);
    expect(mapping.ignoredColumns).toEqual(['fax']);
  });

  it('turns a reader error into a row error with the row’s cells', async () => {
    const { mapping } = await open(FileType.CSV, [{ line: 1, values: ['external_id', 'name'] }]);
    expect(mapping.map({ line: 4, values: ['c1', 'x', 'y'], error: 'bad quotes' })).toEqual({
      row_number: 4,
      code: 'malformed_row',
      message: 'bad quotes',
      raw: { external_id: 'c1', name: 'x', column_3: 'y' },
    });
  });

  it('maps JSON elements by their own keys: absent keys are absent columns, missing required keys row errors', async () => {
    const { mapping } = await open(FileType.JSON, []);
    const full = mapping.map({
      line: 1,
      keys: ['external_id', 'name', 'email'],
      values: ['c1', 'Ann', ''],
    }) as CustomerRecord;
    const partial = mapping.map({
      line: 2,
      keys: ['name', 'external_id', 'web'],
      values: ['Bob', 'c2', 'x'],
    }) as CustomerRecord;
    expect(full.present).toBe(1);
    expect(full.fields.email).toBeNull();
    expect(partial.present).toBe(0);
    expect(partial.externalId).toBe('c2');
    const missing = mapping.map({ line: 3, keys: ['external_id'], values: ['c3'] }) as RowError;
    expect(missing).toEqual({
      row_number: 3,
      code: 'required',
      message: 'name is required (the element has no such key)',
      raw: { external_id: 'c3' },
    });
    expect(mapping.columns).toEqual(['external_id', 'name', 'email', 'web']);
    expect(mapping.ignoredColumns).toEqual(['web']);
  });
});
