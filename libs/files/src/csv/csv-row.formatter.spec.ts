import { Readable } from 'stream';

import { readCsvRecords } from './csv.reader';
import { formatCsvCell, formatCsvRow } from './csv-row.formatter';
import { unescapeFormulaCell } from './formula-cell';

describe('formatCsvCell', () => {
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
    expect(formatCsvCell(value)).toBe(cell);
  });

  it('is undone by the import side for every guarded value', () => {
    for (const v of ['=1+2', '+cmd', '@x', '-x', '\tx', '\rx']) {
      expect(unescapeFormulaCell(formatCsvCell(v).replace(/^"|"$/g, ''))).toBe(v);
    }
  });
});

describe('formatCsvRow', () => {
  it.each([
    [['a', 'b'], 'a,b\n'],
    [['x,y', 'say "hi"'], '"x,y","say ""hi"""\n'],
    [['two\nlines', 'cr\r'], '"two\nlines","cr\r"\n'],
    [['=SUM(A1)', '-5', '@x', ''], "'=SUM(A1),-5,'@x,\n"],
    [['a', null, 'c'], 'a,,c\n'],
  ])('formats %j', (cells, line) => {
    expect(formatCsvRow(cells)).toBe(line);
  });

  it('reads back to the same cells through the CSV reader', async () => {
    const cells = ['1', 'a,b', 'q"uote', 'multi\r\nline', 'plain'];
    const text = formatCsvRow(['h1', 'h2', 'h3', 'h4', 'h5']) + formatCsvRow(cells);
    const out = [];
    for await (const r of readCsvRecords(Readable.from([text]))) out.push(r.values);
    expect(out[1]).toEqual(cells);
  });
});
