import { CsvBoundaryScanner, type CsvScanResult } from './csv-boundary.scanner';
import { type CsvRecord } from './csv-record';
import { CsvTextParser } from './csv-text.parser';

/** A small seeded generator, so a failing case can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

const CELLS = [
  'plain',
  '',
  '42',
  '"quoted, with comma"',
  '"two\nlines"',
  '"say ""hi"""',
  '  "lenient blanks"',
  '5 "inch"',
  'x"y',
  '"crlf\r\ninside"',
  'été',
  '"ends with quote"""',
];

function randomCsv(r: () => number, rows: number, crlf: boolean, bom: boolean): string {
  const nl = crlf ? '\r\n' : '\n';
  const lines = [`${bom ? '\ufeff' : ''}event_name,external_customer_id,value`];
  for (let i = 0; i < rows; i++) {
    if (r() < 0.05) {
      lines.push('');
      continue;
    }
    const cells = [0, 1, 2].map(() => CELLS[Math.floor(r() * CELLS.length)]);
    lines.push(cells.join(','));
  }
  return lines.join(nl) + (r() < 0.5 ? nl : '');
}

function parseAll(text: string, lenient: boolean): CsvRecord[] {
  return new CsvTextParser(1024 * 1024, { lenient }).push(text, true);
}

function scan(buf: Buffer, partBytes: number, lenient: boolean, chunk: number): CsvScanResult {
  const s = new CsvBoundaryScanner({ partBytes, lenient, maxRowBytes: 1024 * 1024 });
  for (let at = 0; at < buf.length; at += chunk) s.push(buf.subarray(at, at + chunk));
  return s.finish();
}

/** What the parts give when each is read on its own: header bytes + range, lines shifted. */
function readParts(buf: Buffer, result: CsvScanResult, lenient: boolean): CsvRecord[] {
  if (!('plan' in result)) throw new Error(`unsplittable: ${result.unsplittable}`);
  const { plan } = result;
  const header = buf.subarray(0, plan.headerEnd);
  const out: CsvRecord[] = [];
  plan.parts.forEach((p, k) => {
    const text = Buffer.concat([header, buf.subarray(p.start, p.end)]).toString('utf8');
    const records = parseAll(text.replace(/^\ufeff/, ''), lenient);
    const shift = p.firstLine - plan.headerLines - 1;
    const body = records.slice(1).map((rec) => ({ ...rec, line: rec.line + shift }));
    if (k === 0) out.push(records[0]);
    out.push(...body);
  });
  return out;
}

describe('CsvBoundaryScanner', () => {
  it.each([
    [false, false],
    [true, false],
    [false, true],
  ])(
    'cuts random files (crlf %s, bom %s) where the parts read back as the whole file does',
    (crlf, bom) => {
      let split = 0;
      for (let seed = 1; seed <= 150; seed++) {
        const r = rng(seed);
        const text = randomCsv(r, 5 + Math.floor(r() * 60), crlf, bom);
        const buf = Buffer.from(text);
        const partBytes = 20 + Math.floor(r() * 200);
        const chunk = 1 + Math.floor(r() * 97);
        const lenient = true;
        const result = scan(buf, partBytes, lenient, chunk);
        if (!('plan' in result)) continue;
        split++;
        const whole = parseAll(text.replace(/^\ufeff/, ''), lenient);
        expect({ seed, records: readParts(buf, result, lenient) }).toEqual({
          seed,
          records: whole,
        });
        // The parts tile the body, and the scan counts the records the parser reads.
        const { plan } = result;
        expect(plan.parts[0].start).toBe(plan.headerEnd);
        for (let k = 1; k < plan.parts.length; k++) {
          expect(plan.parts[k].start).toBe(plan.parts[k - 1].end);
        }
        expect(plan.parts[plan.parts.length - 1].end).toBe(buf.length);
        expect(plan.records).toBe(whole.length - 1);
      }
      // Nearly every file is cut (only the lenient non-ASCII-before-a-quote case is refused).
      expect(split).toBeGreaterThan(100);
    },
  );

  it('cuts a strict file too, where no record has text after a closing quote', () => {
    const text = 'a,b\n1,"x\ny"\n2,"q ""z"""\n\n3,4\n5,"6"\n';
    const buf = Buffer.from(text);
    const result = scan(buf, 4, false, 3);
    expect(readParts(buf, result, false)).toEqual(parseAll(text, false));
    expect('plan' in result && result.plan.parts.length).toBe(4);
  });

  it('gives each part its first line, counting the newlines inside quoted cells', () => {
    const text = 'h1,h2\n"a\nb",1\n2,3\n"c\n\nd",4\n5,6\n';
    const result = scan(Buffer.from(text), 1, true, 1000);
    expect('plan' in result && result.plan.parts.map((p) => [p.firstLine, p.records])).toEqual([
      [2, 1],
      [4, 1],
      [5, 1],
      [8, 1],
    ]);
  });

  it.each([
    ['a quote never closed', 'a,b\n1,"open\n2,3\n', true, 'a quoted field is never closed'],
    ['old Mac line breaks', 'a,b\r1,2\r3,4\r', true, 'its line breaks are lone CRs (old Mac)'],
    ['text after a closing quote (strict)', 'a,b\n"x"y,1\n', false, 'a closing quote'],
    ['blank lines before the header', '\n\na,b\n1,2\n', true, 'blank lines before its header'],
    ['NUL bytes', 'a,b\n1,\0\n', true, 'NUL bytes'],
    ['a row over the limit', `a,b\n${'x'.repeat(300)}\n`, true, 'longer than 256 bytes'],
  ])('leaves a file with %s in one piece', (_what, text, lenient, why) => {
    const s = new CsvBoundaryScanner({ partBytes: 2, lenient, maxRowBytes: 256 });
    s.push(Buffer.from(text));
    const result = s.finish();
    expect('unsplittable' in result && result.unsplittable).toContain(why);
  });

  it('cuts a quote-free file of 66 MB into parts of 8 MiB and counts its 1.1M records', () => {
    const row = Buffer.from('api_call,cust_000123,evt_0000000001,2026-01-01T00:00:00Z,1\n');
    const buf = Buffer.alloc(row.length * 1_100_000);
    for (let at = 0; at < buf.length; at += row.length) row.copy(buf, at);
    const result = scan(buf, 8 * 1024 * 1024, true, 64 * 1024);
    expect('plan' in result && result.plan.records).toBe(1_099_999);
    expect('plan' in result && result.plan.parts.length).toBe(8);
  });
});
