import { Readable } from 'stream';

import { readCsvRecords } from './csv.reader';
import { formatCsvRow } from './csv-row.formatter';

describe('formatCsvRow', () => {
  it.each([
    [['a', 'b'], 'a,b\r\n'],
    [['x,y', 'say "hi"'], '"x,y","say ""hi"""\r\n'],
    [['two\nlines', 'cr\r'], '"two\nlines","cr\r"\r\n'],
    [['=SUM(A1)', '-5', '@x', ''], "'=SUM(A1),-5,'@x,\r\n"],
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
