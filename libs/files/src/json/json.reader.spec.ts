import { Readable } from 'stream';
import { gzipSync } from 'zlib';

import { FerryError } from '@ferry/contracts';

import { decompressIfGzip } from '../gzip/gzip.decompressor';
import { readJsonRecords } from './json.reader';
import { splitJsonObject } from './json-object.splitter';
import { type JsonRecord } from './json-record';

async function read(
  text: string | Buffer,
  chunk = 7,
  opts: Parameters<typeof readJsonRecords>[1] = {},
): Promise<JsonRecord[]> {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const pieces: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) pieces.push(buf.subarray(i, i + chunk));
  const out: JsonRecord[] = [];
  for await (const r of readJsonRecords(Readable.from(pieces), opts)) out.push(r);
  return out;
}

const simple = (r: JsonRecord) =>
  r.error
    ? { line: r.line, error: r.error }
    : { line: r.line, ...Object.fromEntries(r.keys.map((k, i) => [k, r.values[i]])) };

describe('readJsonRecords', () => {
  it.each([
    ['an array', '[{"a":"1"},{"a":"2","b":"x"}]'],
    [
      'an array with whitespace and CRLF',
      '\r\n [\r\n  {"a": "1"} ,\r\n  {"a":"2", "b" : "x"}\r\n]\r\n',
    ],
    ['newline-delimited objects', '{"a":"1"}\n{"a":"2","b":"x"}\n'],
    ['NDJSON with CRLF and blank lines', '{"a":"1"}\r\n\r\n{"a":"2","b":"x"}'],
    ['a BOM', '\ufeff[{"a":"1"},{"a":"2","b":"x"}]'],
  ])('reads %s', async (_name, text) => {
    for (const chunk of [1, 3, 1000]) {
      expect((await read(text, chunk)).map(simple)).toEqual([
        { line: 1, a: '1' },
        { line: 2, a: '2', b: 'x' },
      ]);
    }
  });

  it('turns numbers and booleans into their text, null into blank, nested values into JSON text', async () => {
    const [r] = await read(
      '[{"n": 12345678901234567890.10, "t": true, "f": false, "z": null, "e": "", "p": {"k": [1, {"x": "}"}]}, "s": "a\\"b\\n\\u00e9"}]',
    );
    expect(simple(r)).toEqual({
      line: 1,
      n: '12345678901234567890.10',
      t: 'true',
      f: 'false',
      z: '',
      e: '',
      p: '{"k": [1, {"x": "}"}]}',
      s: 'a"b\né',
    });
    expect(r.keys).toEqual(['n', 't', 'f', 'z', 'e', 'p', 's']);
  });

  it('keeps keys absent from an element absent from its record', async () => {
    const rs = await read('{"a":"1","b":"2"}\n{"a":"3"}\n');
    expect(rs[1].keys).toEqual(['a']);
  });

  it('lets the last of repeated keys win, as JSON.parse does', async () => {
    const [r] = await read('[{"a":"1","a":"2"}]');
    expect(simple(r)).toEqual({ line: 1, a: '2' });
  });

  it('handles multi-byte characters split across chunks', async () => {
    const rs = await read('[{"name":"Zoë 🚀"}]', 1);
    expect(simple(rs[0])).toEqual({ line: 1, name: 'Zoë 🚀' });
  });

  it('reads a gzip-compressed file after detection', async () => {
    const gz = gzipSync(Buffer.from('[{"a":"1"}]'));
    const stream = await decompressIfGzip(Readable.from([gz]), { maxBytes: 1e6 });
    const out: JsonRecord[] = [];
    for await (const r of readJsonRecords(stream)) out.push(r);
    expect(out.map(simple)).toEqual([{ line: 1, a: '1' }]);
  });

  it.each([
    ['a scalar element', '[{"a":"1"}, 42, {"a":"3"}]', 2, /not an object/],
    ['an array element', '[{"a":"1"}, [1,2], {"a":"3"}]', 2, /an array, not an object/],
    ['a bad literal', '[{"a":"1"}, {"a": nope}, {"a":"3"}]', 2, /expected a value/],
    ['a missing colon', '{"a":"1"}\n{"a" "2"}\n{"a":"3"}', 2, /expected ':'/],
    ['a bad nested value', '[{"a":"1"}, {"p": {"x": 1,}}, {"a":"3"}]', 2, /"p" is not valid JSON/],
  ])('makes %s a row error and goes on', async (_name, text, line, message) => {
    const rs = await read(text);
    expect(rs).toHaveLength(3);
    expect(rs[line - 1].line).toBe(line);
    expect(rs[line - 1].error).toMatch(message);
    expect(rs[line - 1].errorCode).toBe('malformed_row');
    expect(rs[2].error).toBeUndefined();
  });

  it('rejects an element over the size limit without keeping it, and goes on', async () => {
    const big = `{"a":"${'x'.repeat(500)}"}`;
    const rs = await read(`[${big},{"a":"ok"}]`, 64, { maxRecordChars: 100 });
    expect(rs[0]).toMatchObject({ line: 1, errorCode: 'row_too_large' });
    expect(simple(rs[1])).toEqual({ line: 2, a: 'ok' });
  });

  it('rejects an element nested deeper than the limit', async () => {
    const deep = `{"p":${'['.repeat(40)}${']'.repeat(40)}}`;
    const rs = await read(`${deep}\n{"a":"ok"}`, 1000, { maxDepth: 32 });
    expect(rs[0].error).toMatch(/deeper than 32 levels/);
    expect(rs[1].error).toBeUndefined();
  });

  it.each([
    ['an empty file', '', /empty/],
    ['only whitespace', '  \n ', /empty/],
    ['a CSV file', 'external_id,name\nc1,Ann\n', /not JSON: it starts with "e"/],
    ['an unclosed array', '[{"a":"1"},', /ends before the closing ]/],
    ['an unclosed object', '[{"a":"1"', /ends inside element 1/],
    ['text after the array', '[{"a":"1"}] x', /after the closing ]/],
    ['a missing comma', '[{"a":"1"} {"a":"2"}]', /expected , or ] after element 1/],
    ['a scalar line in NDJSON', '{"a":"1"}\n42\n', /expected an object/],
    ['NUL bytes', Buffer.from([0x7b, 0, 0x7d]), /NUL bytes/],
  ])('fails the file for %s with a sentence', async (_name, text, message) => {
    const err = await read(text).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).message).toMatch(message);
  });

  it('rejects, one element at a time, too many keys, a long value, bad UTF-8, NUL and huge exponents', async () => {
    const text = [
      '{"a":1,"b":2,"c":3}',
      '{"a":"12345678901"}',
      '{"a":"\ufffd"}',
      '{"a":"x\\u0000y"}',
      '{"a":{"n":1e999999}}',
      '{"a":[1e300]}',
      '{"a":["1e9999"]}',
    ].join('\n');
    const records = await read(text, 5, { maxColumns: 2, maxCellBytes: 10 });
    expect(records.map((r) => r.error ?? 'ok')).toEqual([
      'element 1 has 3 keys, more than the limit of 2 (FERRY_MAX_COLUMNS)',
      'the value of a in element 2 is longer than 10 characters (FERRY_MAX_CELL_BYTES)',
      expect.stringMatching(/^element 3: the row is not valid UTF-8/),
      'element 4: the row contains a NUL character, which Ferry cannot store',
      expect.stringMatching(/too large or too small \(exponent above 999\)/),
      'ok',
      'ok',
    ]);
  });

  it('reads an empty array as no records', async () => {
    expect(await read('[]')).toEqual([]);
  });
});

describe('splitJsonObject', () => {
  it.each([
    ['{}', { keys: [], values: [] }],
    [' { "a" : -1.5e3 } ', { keys: ['a'], values: ['-1.5e3'] }],
    ['{"a":[]}', { keys: ['a'], values: ['[]'] }],
  ])('splits %s', (text, expected) => {
    expect(splitJsonObject(text)).toEqual(expected);
  });

  it.each([['{"a":01}'], ['{"a":"1",}'], ['{"a":"1"} x'], ['{a:1}'], ['{"a":"1"']])(
    'refuses %s',
    (text) => {
      expect(splitJsonObject(text)).toHaveProperty('error');
    },
  );
});
