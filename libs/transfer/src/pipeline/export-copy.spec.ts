import { CsvRowCounter, inlineParams, JsonArrayFramer } from './export-copy';

async function through(t: CsvRowCounter | JsonArrayFramer, text: string): Promise<string> {
  const parts: string[] = [];
  t.on('data', (b: Buffer) => parts.push(b.toString()));
  // One byte a chunk: every boundary a COPY's socket reads could make.
  for (let i = 0; i < text.length; i++) t.write(Buffer.from(text[i]));
  await new Promise<void>((r) => t.end(r));
  return parts.join('');
}

describe('export COPY framing (export-copy.ts)', () => {
  it('JSON: an array whatever the chunk boundaries, `[]` for no row', async () => {
    const framer = new JsonArrayFramer(() => undefined);
    expect(await through(framer, '{"a":1}\n{"a":2}\n{"a":3}\n')).toBe(
      '[\n{"a":1},\n{"a":2},\n{"a":3}\n]\n',
    );
    expect(framer.rows).toBe(3);
    expect(await through(new JsonArrayFramer(() => undefined), '')).toBe('[]\n');
  });

  it('CSV: rows counted by the LFs outside quotes, across chunks, bytes unchanged', async () => {
    const seen: number[] = [];
    const counter = new CsvRowCounter('h1,h2\n', (n) => seen.push(n));
    const body = 'a,"two\nlines"\n"say ""hi""",b\n"x\n\ny",\n';
    expect(await through(counter, body)).toBe('h1,h2\n' + body);
    expect(counter.rows).toBe(3);
    expect(seen.reduce((x, y) => x + y, 0)).toBe(3);
  });

  it('a parameter becomes a literal, never SQL', () => {
    const lit = (v: string): string => `'${v.replace(/'/g, "''")}'`;
    expect(inlineParams('a = $1 AND b = $2', ["x'; DROP", 'y'], lit)).toBe(
      "a = 'x''; DROP' AND b = 'y'",
    );
    expect(() => inlineParams('a = $3', ['x'], lit)).toThrow(/no parameter \$3/);
  });
});
