import { FileType } from '@ferry/contracts';

import type { ExportColumn } from '../export-definition';
import { exportFormatter } from './export-format';

const COLUMNS: ExportColumn[] = [
  { name: 'id', sql: 'id', kind: 'text' },
  { name: 'props', sql: 'props', kind: 'json' },
];

describe('exportFormatter', () => {
  it('CSV: header, rows, nothing after', () => {
    const f = exportFormatter(FileType.CSV, COLUMNS);
    expect(f.head() + f.rows([['a', '{"k": 1}']]) + f.tail()).toBe('id,props\na,"{""k"": 1}"\n');
  });

  it('JSON: an array with json columns embedded and nulls as null', () => {
    const f = exportFormatter(FileType.JSON, COLUMNS);
    const text = f.head() + f.rows([['a', '{"k": 1}']]) + f.rows([[null, '{}']]) + f.tail();
    expect(JSON.parse(text)).toEqual([
      { id: 'a', props: { k: 1 } },
      { id: null, props: {} },
    ]);
  });

  it('JSON: an empty array for no rows', () => {
    const f = exportFormatter(FileType.JSON, COLUMNS);
    expect(f.head() + f.tail()).toBe('[]\n');
  });
});
