import { type Readable, Writable } from 'stream';
import { pipeline } from 'stream/promises';

import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';

import { FileType } from '@ferry/contracts';
import { withClient } from '@ferry/persistence';
import { createTestDatabase, type TestDatabase } from '@ferry/persistence/testing';

import type { ExportColumn } from '../export-definition';
import { CsvRowCounter, exportCopySql, inlineParams, JsonArrayFramer } from './export-copy';
import { exportFormatter } from './export-format';

jest.setTimeout(30_000);

/** Values where PostgreSQL's writers and the JS ones could part: quoting, guard, escapes, Unicode. */
const TEXTS: Array<string | null> = [
  null,
  '',
  'plain',
  'a,b',
  'q"uote',
  '"',
  'two\nlines',
  'cr\r',
  'crlf\r\n',
  '=1+2',
  '=a,b',
  '+cmd',
  '@SUM(A1)',
  '\tx',
  '\rx',
  '-',
  '-5',
  '+1.5e3',
  '.5',
  '5.',
  '-1e',
  '-Infinity',
  'NaN',
  '-١',
  '-１２',
  "'=x",
  ' lead',
  'tab\tin',
  '\\back\\slash',
  '/slash',
  '\\.',
  'ctl\u0001\u001f\u007f',
  '\b\f',
  'é 😀 \u2028\u2029',
];
const JSONS: Array<string | null> = [
  null,
  '{}',
  '[]',
  '{"s": "a,\\"b\\"\\nc", "n": 1.50, "z": null}',
  '[1, "x", {"k": [true, false]}]',
  '"str"',
  '-1',
  '{"u": "\\u0001 é 😀", "b": "\\\\"}',
];

const COLUMNS: ExportColumn[] = [
  { name: 'n', sql: 'n', kind: 'text' },
  { name: 'v', sql: 'v', kind: 'text' },
  { name: 'j', sql: 'j', kind: 'json' },
];

async function copied(
  client: PoolClient,
  fileType: FileType,
  columns: readonly ExportColumn[],
  where: string,
): Promise<{ text: string; rows: number }> {
  const select = `SELECT ${columns.map((c, i) => `(${c.sql})::text AS c${i}`).join(', ')} FROM copy_cases WHERE ${where} ORDER BY n`;
  const literal = (v: string): string => client.escapeLiteral(v);
  const sql = exportCopySql(inlineParams(select, ['%'], literal), columns, fileType, literal);
  const counter =
    fileType === FileType.JSON
      ? new JsonArrayFramer(() => undefined)
      : new CsvRowCounter(exportFormatter(fileType, columns).head(), () => undefined);
  const parts: Buffer[] = [];
  await pipeline(
    client.query(copyTo(sql)) as Readable,
    counter,
    new Writable({
      write(chunk: Buffer, _e, done) {
        parts.push(chunk);
        done();
      },
    }),
  );
  return { text: Buffer.concat(parts).toString('utf8'), rows: counter.rows };
}

/** What the JS formatters (the reference, docs/FORMATS.md §1) write for the same rows. */
async function formatted(
  client: PoolClient,
  fileType: FileType,
  columns: readonly ExportColumn[],
  where: string,
): Promise<string> {
  const res = await client.query<Array<string | null>>({
    text: `SELECT ${columns.map((c) => `(${c.sql})::text`).join(', ')} FROM copy_cases WHERE ${where} ORDER BY n`,
    rowMode: 'array',
  });
  const f = exportFormatter(fileType, columns);
  return f.head() + (res.rows.length ? f.rows(res.rows) : '') + f.tail();
}

describe('export COPY (PostgreSQL writes the file)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_export_copy');
    await db.ds.query('CREATE TABLE copy_cases (n int PRIMARY KEY, v text, j jsonb)');
    const rows = Math.max(TEXTS.length, JSONS.length);
    for (let i = 0; i < rows; i++) {
      await db.ds.query('INSERT INTO copy_cases VALUES ($1, $2, $3::jsonb)', [
        i + 10,
        TEXTS[i % TEXTS.length],
        JSONS[i % JSONS.length],
      ]);
    }
  });

  afterAll(async () => {
    await db?.drop();
  });

  it.each([FileType.CSV, FileType.JSON])(
    '%s: byte for byte what the JS formatter writes',
    async (fileType) => {
      await withClient(db.ds, async (client) => {
        const out = await copied(client, fileType, COLUMNS, `v LIKE $1 OR v IS NULL`);
        expect(out.text).toBe(
          await formatted(client, fileType, COLUMNS, `v LIKE '%' OR v IS NULL`),
        );
        expect(out.rows).toBe(TEXTS.length);
      });
    },
  );

  it.each([FileType.CSV, FileType.JSON])('%s: nothing selected', async (fileType) => {
    await withClient(db.ds, async (client) => {
      const out = await copied(client, fileType, COLUMNS, `v = $1 AND false`);
      expect(out.text).toBe(await formatted(client, fileType, COLUMNS, 'false'));
      expect(out.rows).toBe(0);
    });
  });
});
