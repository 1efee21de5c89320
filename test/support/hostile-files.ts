import { createGzip, gzipSync } from 'zlib';

import type { RequestListener } from 'http';

import { eventRow, EVENTS_HEADER } from './events-csv';

/** What a hostile case must end in. */
export type Expected =
  /** COMPLETED with these counters and exactly these row errors ([line, code], by line). */
  | {
      completed: [processed: number, successful: number, failed: number];
      rows?: [number, string][];
    }
  /** FAILED with an error_summary matching this. */
  | { failed: RegExp }
  /** Refused by the API at once with this status and a message matching. */
  | { refused: number; message: RegExp };

/** Where a case's file lives and what it is; `source` registers it once the servers run. */
export interface HostileCase {
  name: string;
  source: (origin: Origin) => string;
  fileType?: 'CSV' | 'JSON';
  taskType?: 'IMPORT' | 'EXPORT';
  metadata?: Record<string, unknown>;
  /** `metadata` as JSON text, for a value JSON.stringify cannot write (nested 5,000 levels). */
  rawMetadata?: string;
  /** The file is sent to POST /v1/uploads instead of being served (its bytes). */
  upload?: () => Buffer;
  expect: Expected;
}

/** The servers the cases use (test/support FileServer, a canary, names the importer resolves). */
export interface Origin {
  /** Serves `body` and returns its URL. */
  add(name: string, body: string | Buffer): string;
  handle(name: string, handler: RequestListener): string;
  failing(name: string, status: number): string;
  filesPort: number;
  canaryPort: number;
}

const csv = (...rows: string[]): string => [EVENTS_HEADER, ...rows].join('\n') + '\n';
const ok = (i: number, p: string): string => eventRow(i, p);
const file = (name: string, body: string | Buffer) => (o: Origin) => o.add(name, body);
const TS = '2026-01-01T00:00:00Z';
const jsonEvent = (id: string, extra = ''): string =>
  `{"event_id":"${id}","event_name":"api_call","external_customer_id":"c1","timestamp":"${TS}"${extra}}`;

/** A gzip stream of `bytes` of one endless line: ~1000 times smaller than what it expands to. */
export async function gzipBomb(bytes: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((r) => gz.on('end', r));
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  gz.write(`${EVENTS_HEADER}\n`);
  for (let i = 0; i < bytes / chunk.length; i++) {
    if (!gz.write(chunk)) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
  return Buffer.concat(out);
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const bad = (n: number, p: string) =>
  Array.from({ length: n }, (_, i) => `${p}${i},,c,${TS},sdk,eu,1,m`);

/** Files that are wrong in every way a stranger's file can be (the cases need `bomb` ready). */
export function fileCases(bomb: Buffer): HostileCase[] {
  const good = csv(ok(0, 'gz'), ok(1, 'gz'));
  return [
    {
      name: 'malformed CSV quoting (a quote after a closed quote)',
      source: file(
        'quoting.csv',
        // papaparse reads on to the next quote (none): the rows after belong to the rejected one.
        csv(ok(0, 'q'), `q1,api_call,c1,${TS},sdk,eu,"5"x,m`, ok(2, 'q'), ok(3, 'q')),
      ),
      expect: { completed: [2, 1, 1], rows: [[3, 'malformed_row']] },
    },
    {
      name: 'a quote never closed on the last row',
      source: file('open-quote.csv', csv(ok(0, 'oq'), `oq1,api_call,"c1,${TS}`)),
      expect: { completed: [2, 1, 1], rows: [[3, 'malformed_row']] },
    },
    {
      name: 'header only',
      source: file('header.csv', `${EVENTS_HEADER}\n`),
      expect: { completed: [0, 0, 0] },
    },
    { name: 'empty file', source: file('empty.csv', ''), expect: { failed: /^The file is empty/ } },
    {
      name: 'only blank lines',
      source: file('blank.csv', '\n\r\n\n'),
      expect: { failed: /^The file is empty/ },
    },
    {
      name: 'duplicate header names',
      source: file('dup.csv', 'event_name,external_customer_id,event_name\napi_call,c1,x\n'),
      expect: { failed: /the column event_name appears more than once in the header/ },
    },
    {
      name: 'missing required column',
      source: file('missing.csv', 'event_name,timestamp\napi_call,2026-01-01T00:00:00Z\n'),
      expect: { failed: /lacks the required column external_customer_id/ },
    },
    {
      name: 'a BOM in the middle (two files joined, the second with its BOM and header)',
      source: file('bom.csv', csv(ok(0, 'bom')) + `\ufeff${csv(ok(1, 'bom'))}`),
      expect: { completed: [3, 2, 1], rows: [[3, 'invalid_value']] },
    },
    {
      name: 'mixed line endings (CRLF and LF)',
      source: file(
        'mixed.csv',
        `${EVENTS_HEADER}\r\n${ok(0, 'mx')}\n${ok(1, 'mx')}\r\n${ok(2, 'mx')}\n`,
      ),
      expect: { completed: [3, 3, 0] },
    },
    {
      name: 'a 10 MB line',
      source: file('long-line.csv', csv(ok(0, 'll'), 'x'.repeat(10 * 1024 * 1024), ok(2, 'll'))),
      expect: { completed: [3, 2, 1], rows: [[3, 'row_too_large']] },
    },
    {
      name: 'NUL bytes at the start',
      source: file(
        'nul-start.csv',
        Buffer.concat([Buffer.from('event_name\0,x\n'), Buffer.from(csv())]),
      ),
      expect: { failed: /not a CSV text file \(it contains NUL bytes\)/ },
    },
    {
      name: 'a NUL byte in a row after the first KB',
      source: file(
        'nul-row.csv',
        csv(...Array.from({ length: 20 }, (_, i) => ok(i, 'nul')), `nulx,api\0call,c,${TS}`),
      ),
      expect: { completed: [21, 20, 1], rows: [[22, 'malformed_row']] },
    },
    {
      name: 'binary data (a PNG)',
      source: file('image.csv', PNG),
      expect: { failed: /contains NUL bytes/ },
    },
    {
      name: 'invalid UTF-8 in a row',
      source: file(
        'utf8.csv',
        Buffer.concat([
          Buffer.from(csv(ok(0, 'u8'))),
          Buffer.from([0x75, 0xc3, 0x28, 0x2c]),
          Buffer.from(`api_call,c1,${TS}\n`),
        ]),
      ),
      expect: { completed: [2, 1, 1], rows: [[3, 'malformed_row']] },
    },
    {
      name: 'a UTF-16 file',
      source: file(
        'utf16.csv',
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv(ok(0, 'u16')), 'utf16le')]),
      ),
      expect: { failed: /the file is UTF-16 text; a CSV import reads UTF-8/ },
    },
    {
      name: 'a gzip bomb',
      source: file('bomb.csv.gz', bomb),
      expect: { failed: /decompressed file exceeds \d+ bytes \(FERRY_MAX_DECOMPRESSED_BYTES\)/ },
    },
    {
      name: 'a truncated gzip file',
      source: file(
        'cut.csv.gz',
        gzipSync(csv(...Array.from({ length: 500 }, (_, i) => ok(i, 'cut')))).subarray(0, 2000),
      ),
      expect: { failed: /not a valid gzip file/ },
    },
    {
      name: 'a good gzip file (control)',
      source: file('good.csv.gz', gzipSync(good)),
      expect: { completed: [2, 2, 0] },
    },
    {
      name: 'dates without a zone',
      source: file(
        'nozone.csv',
        csv(ok(0, 'nz'), `nz1,api_call,c1,2026-01-01 10:00:00,sdk,eu,1,m`),
      ),
      expect: { completed: [2, 1, 1], rows: [[3, 'invalid_value']] },
    },
    {
      name: 'more columns in the header than FERRY_MAX_COLUMNS',
      source: file(
        'wide.csv',
        `${EVENTS_HEADER},${Array.from({ length: 60 }, (_, i) => `x${i}`).join(',')}\n${ok(0, 'w')}\n`,
      ),
      expect: {
        failed:
          /the header row is not valid CSV: the row has 68 columns, more than the limit of 50 \(FERRY_MAX_COLUMNS\)/,
      },
    },
    {
      name: 'a row with more columns than FERRY_MAX_COLUMNS',
      source: file('wide-row.csv', csv(ok(0, 'wr'), `${ok(1, 'wr')}${',z'.repeat(60)}`)),
      expect: { completed: [2, 1, 1], rows: [[3, 'malformed_row']] },
    },
    {
      name: 'a cell larger than FERRY_MAX_CELL_BYTES',
      source: file(
        'cell.csv',
        csv(ok(0, 'cl'), `cl1,api_call,c1,${TS},sdk,${'r'.repeat(5000)},1,m`),
      ),
      expect: { completed: [2, 1, 1], rows: [[3, 'too_long']] },
    },
    {
      name: 'more row errors than metadata.max_errors',
      source: file('errs.csv', csv(...bad(20, 'me'))),
      metadata: { max_errors: 5 },
      expect: {
        failed: /stopped after \d+ rejected rows, more than the 5 allowed \(metadata\.max_errors\)/,
      },
    },
    {
      name: 'more row errors than FERRY_MAX_ROW_ERRORS',
      source: file('errs2.csv', csv(...bad(80, 'de'))),
      expect: { failed: /more than the 50 allowed \(FERRY_MAX_ROW_ERRORS\)/ },
    },
    {
      name: 'row errors within metadata.max_errors',
      source: file('errs3.csv', csv(ok(0, 'wi'), ...bad(3, 'wi'))),
      metadata: { max_errors: 3 },
      expect: {
        completed: [4, 1, 3],
        rows: [
          [3, 'required'],
          [4, 'required'],
          [5, 'required'],
        ],
      },
    },
    {
      name: 'metadata.max_errors that is not a number',
      source: file('errs4.csv', csv(ok(0, 'nn'))),
      metadata: { max_errors: 'lots' },
      // Refused by the gateway at once (it runs the importer's parser); the importer keeps it too.
      expect: {
        refused: 400,
        message: /metadata\.max_errors must be a whole number of 0 or more, not "lots"/,
      },
    },
    {
      name: 'CSV declared, JSON given',
      source: file('is-json.csv', `[${jsonEvent('j')}]`),
      expect: { failed: /looks like JSON/ },
    },
    {
      name: 'JSON declared, CSV given',
      fileType: 'JSON',
      source: file('is-csv.json', csv(ok(0, 'c'))),
      expect: { failed: /the file is not JSON: it starts with "e"/ },
    },
    {
      name: 'JSON that is neither an array nor NDJSON',
      fileType: 'JSON',
      source: file('scalar.json', '"just a string"'),
      expect: { failed: /the file is not JSON: it starts with "\\""/ },
    },
    {
      name: 'truncated JSON',
      fileType: 'JSON',
      source: file('cut.json', `[${jsonEvent('t1')},{"event_id":"t2","event_na`),
      expect: { failed: /the file ends inside element 2/ },
    },
    {
      name: 'JSON nested deeper than FERRY_MAX_JSON_DEPTH',
      fileType: 'JSON',
      source: file(
        'deep.json',
        `[${jsonEvent('d1')},${jsonEvent('d2', `,"properties":${'{"a":'.repeat(20)}1${'}'.repeat(20)}`)}]`,
      ),
      expect: { completed: [2, 1, 1], rows: [[2, 'malformed_row']] },
    },
    {
      name: 'huge numbers in JSON (1e999999 refused, 30 digits kept)',
      fileType: 'JSON',
      source: file(
        'huge.json',
        `${jsonEvent('h1', ',"properties":{"n":123456789012345678901234567890}')}\n${jsonEvent('h2', ',"properties":{"n":1e999999}')}\n`,
      ),
      expect: { completed: [2, 1, 1], rows: [[2, 'malformed_row']] },
    },
    {
      name: 'a JSON array of scalars',
      fileType: 'JSON',
      source: file('scalars.json', '[1,"a",null]'),
      expect: {
        completed: [3, 0, 3],
        rows: [
          [1, 'malformed_row'],
          [2, 'malformed_row'],
          [3, 'malformed_row'],
        ],
      },
    },
    {
      name: 'NDJSON with a broken line',
      fileType: 'JSON',
      source: file('broken.ndjson', `${jsonEvent('b1')}\n{"event_name": }\n${jsonEvent('b3')}\n`),
      expect: { completed: [3, 2, 1], rows: [[2, 'malformed_row']] },
    },
    {
      name: 'JSON with an escaped NUL (\\u0000)',
      fileType: 'JSON',
      source: file(
        'nul.json',
        `[${jsonEvent('n1', ',"properties":{"p":"a\\u0000b"}')},${jsonEvent('n2')}]`,
      ),
      expect: { completed: [2, 1, 1], rows: [[1, 'malformed_row']] },
    },
    {
      name: 'an upload larger than FERRY_UPLOAD_MAX_BYTES',
      source: () => '',
      upload: () => Buffer.from(csv(...Array.from({ length: 30_000 }, (_, i) => ok(i, 'up')))),
      expect: {
        refused: 413,
        message: /larger than the \d+ bytes allowed \(FERRY_UPLOAD_MAX_BYTES\)/,
      },
    },
  ];
}
