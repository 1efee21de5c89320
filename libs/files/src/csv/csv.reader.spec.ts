import { Readable } from 'stream';

import { FerryError } from '@ferry/contracts';

import { readCsvRecords } from './csv.reader';
import { type CsvRecord } from './csv-record';

function bytes(...parts: Array<string | number[]>): Buffer[] {
  return parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p)));
}

async function readAll(chunks: Buffer[], maxRowBytes?: number): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const r of readCsvRecords(Readable.from(chunks), { maxRowBytes })) out.push(r);
  return out;
}

/** An endless CSV source that counts what it produced, to check that reading is on demand. */
function endlessCsv(): { stream: Readable; produced: () => number } {
  let produced = 0;
  let i = 0;
  const stream = new Readable({
    read() {
      const line = i === 0 ? 'a,b\n' : `${i},${'x'.repeat(100)}\n`;
      i++;
      produced += line.length;
      this.push(line);
    },
  });
  return { stream, produced: () => produced };
}

describe('readCsvRecords', () => {
  it('yields the header first, then the rows, with their lines', async () => {
    const records = await readAll(bytes('name,n\n', 'x,1\ny,2'));
    expect(records.map((r) => [r.line, r.values])).toEqual([
      [1, ['name', 'n']],
      [2, ['x', '1']],
      [3, ['y', '2']],
    ]);
  });

  it('strips a UTF-8 BOM, also when it is split across chunks', async () => {
    const records = await readAll(bytes([0xef], [0xbb, 0xbf, 0x61], ',b\n1,2\n'));
    expect(records[0].values).toEqual(['a', 'b']);
  });

  it('decodes characters split across chunks', async () => {
    const euro = Buffer.from('€', 'utf8');
    const records = await readAll([
      Buffer.from('a\n'),
      euro.subarray(0, 1),
      euro.subarray(1),
      Buffer.from('\n'),
    ]);
    expect(records[1].values).toEqual(['€']);
  });

  it('refuses a file with NUL bytes in its first kilobyte', async () => {
    const err = await readAll([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08])]).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).retryable).toBe(false);
    expect((err as FerryError).message).toMatch(/not a CSV text file/);
  });

  it('counts lines across chunk boundaries in a large file', async () => {
    const rows = ['a,b'];
    for (let i = 0; i < 20_000; i++)
      rows.push(i % 1000 === 0 ? `"multi\nline ${i}",${i}` : `${i},v`);
    const text = rows.join('\r\n') + '\r\n';
    const chunks: Buffer[] = [];
    for (let p = 0; p < text.length; p += 4093) chunks.push(Buffer.from(text.slice(p, p + 4093)));
    const records = await readAll(chunks);
    expect(records).toHaveLength(20_001);
    // Each earlier multi-line record pushes later rows one line further down.
    expect(records[20_000].line).toBe(20_001 + 20);
    expect(records[20_000].values).toEqual(['19999', 'v']);
  });

  it('reads only as far as the consumer has asked, and stops the source on break', async () => {
    const { stream, produced } = endlessCsv();
    let n = 0;
    for await (const record of readCsvRecords(stream)) {
      if (++n === 10) {
        expect(record.line).toBe(10);
        break;
      }
    }
    expect(produced()).toBeLessThan(1024 * 1024);
    expect(stream.destroyed).toBe(true);
  });

  it('stops with the abort reason when the signal aborts', async () => {
    const { stream } = endlessCsv();
    const controller = new AbortController();
    let n = 0;
    const run = async (): Promise<void> => {
      for await (const record of readCsvRecords(stream, { signal: controller.signal })) {
        n = record.line;
        if (n === 1000) controller.abort(new Error('cancelled by user'));
      }
    };
    await expect(run()).rejects.toThrow('cancelled by user');
    expect(stream.destroyed).toBe(true);
  });

  it('turns a row larger than maxRowBytes that never ends into a row error, and reads on', async () => {
    const big = Buffer.from(`a\n"${'x'.repeat(200_000)}\n3\n`);
    const records = await readAll([big.subarray(0, 150_000), big.subarray(150_000)], 100_000);
    expect(records.map((r) => [r.line, r.errorCode ?? r.values[0]])).toEqual([
      [1, 'a'],
      [2, 'row_too_large'],
      [3, '3'],
    ]);
    expect(records[1].error).toMatch(/longer than 100000 bytes \(FERRY_MAX_ROW_BYTES\)/);
  });
});
