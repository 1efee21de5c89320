import { FileType } from '@ferry/contracts';
import { unescapeFormulaCell } from '@ferry/files';

import type { ExportColumn } from '../export-definition';
import { csvCell, exportFormatter } from './export-format';

const COLUMNS: ExportColumn[] = [
  { name: 'id', sql: 'id', kind: 'text' },
  { name: 'props', sql: 'props', kind: 'json' },
];

describe('csvCell', () => {
  it.each<[string | null, string]>([
    [null, ''],
    ['', ''],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=1+2', "'=1+2"],
    ['+cmd', "'+cmd"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['-5', '-5'],
    ['+1.5e3', '+1.5e3'],
    ['-', "'-"],
    ['=a,b', `"'=a,b"`],
  ])('%j → %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('is undone by the import side for every guarded value', () => {
    for (const v of ['=1+2', '+cmd', '@x', '-x', '\tx', '\rx']) {
      expect(unescapeFormulaCell(csvCell(v).replace(/^"|"$/g, ''))).toBe(v);
    }
  });
});

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
