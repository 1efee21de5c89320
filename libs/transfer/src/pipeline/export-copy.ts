import { Transform, type TransformCallback } from 'stream';

import { FileType } from '@ferry/contracts';

import type { ExportColumn } from '../export-definition';

/**
 * An export's rows rendered by PostgreSQL itself (docs/DECISIONS.md, decision 140): one
 * `COPY (SELECT …) TO STDOUT` whose text is already the file's bytes, so Node only moves them.
 * The SQL reproduces, cell for cell, what `formatCsvRow` (libs/files) and the JSON formatter of
 * export-format.ts write (docs/FORMATS.md §1: formula guard, quoting, `null`, LF); the spec
 * export-copy.integration-spec.ts pins the two against each other on awkward values.
 */

/** docs/FORMATS.md §1, formula guard: = + - @ tab CR (code points), unless a plain number. */
const TRIGGERS = '61, 43, 45, 64, 9, 13';
/** The same pattern as PLAIN_NUMBER of libs/files' formula-cell.ts, ASCII digits only as there. */
const PLAIN_NUMBER = `'^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?$'`;

/**
 * One CSV cell as `formatCsvCell` writes it, left for COPY's CSV writer to quote: guarded, and an
 * empty string written as no value (COPY would write `""` for it; the JS writer writes nothing).
 */
function csvCell(x: string): string {
  return `CASE WHEN ascii(${x}) IN (${TRIGGERS}) AND ${x} !~ ${PLAIN_NUMBER} THEN '''' || ${x} ELSE NULLIF(${x}, '') END`;
}

/** One JSON member `"name":value`: `to_json(text)` escapes as JSON.stringify does; json columns as they are. */
function jsonMember(column: ExportColumn, x: string, first: boolean, literal: Literal): string {
  const key = literal(`${first ? '{' : ','}${JSON.stringify(column.name)}:`);
  const value =
    column.kind === 'json' ? `COALESCE(${x}, 'null')` : `COALESCE(to_json(${x})::text, 'null')`;
  return `${key} || ${value}`;
}

export type Literal = (value: string) => string;

/**
 * Inlines the query's `$n` parameters as literals (COPY takes no bind parameters). `literal` is
 * the driver's `escapeLiteral`, so a value can never become SQL.
 */
export function inlineParams(sql: string, params: readonly string[], literal: Literal): string {
  return sql.replace(/\$(\d+)/g, (_m, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= params.length) throw new Error(`the export query has no parameter $${n}`);
    return literal(params[i]);
  });
}

/**
 * The COPY of an export: `select` is buildExportQuery's (columns aliased `c0…`, parameters
 * inlined). CSV: COPY's own CSV writer (it quotes a cell holding `,` `"` CR or LF and doubles
 * quotes, as formatCsvCell does); the header is written by Node with formatCsvRow. JSON: one
 * object's text a row, in CSV mode with a delimiter and quote (0x01, 0x02) JSON text never holds
 * raw (to_json and jsonb escape every control character), so no row is ever quoted or escaped and
 * every LF ends a row.
 */
export function exportCopySql(
  select: string,
  columns: readonly ExportColumn[],
  fileType: FileType,
  literal: Literal,
): string {
  const cells = columns.map((_c, i) => `c${i}`);
  // OFFSET 0 keeps the inner query a subquery, so each column is computed once per row.
  const from = `FROM (${select} OFFSET 0) AS s`;
  if (fileType === FileType.JSON) {
    const members = columns.map((c, i) => jsonMember(c, cells[i], i === 0, literal));
    const row = members.length === 0 ? `'{}'` : `${members.join(' || ')} || '}'`;
    return `COPY (SELECT ${row} ${from}) TO STDOUT WITH (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')`;
  }
  return `COPY (SELECT ${cells.map(csvCell).join(', ')} ${from}) TO STDOUT WITH (FORMAT csv)`;
}

const LF = 0x0a;
const QUOTE = 0x22;
/**
 * Bytes buffered after the COPY, so PostgreSQL keeps writing while the destination waits (the
 * built-in store acknowledges each chunk before the next): memory stays at about this.
 */
const BUFFER_BYTES = 1024 * 1024;

/**
 * Counts the rows of COPY's CSV output as they pass (an LF outside quotes ends a row; a doubled
 * quote toggles twice), for the progress counters. Bytes pass unchanged.
 */
export class CsvRowCounter extends Transform {
  rows = 0;
  private quoted = false;

  /** `head` (the header line) goes out first. */
  constructor(
    head: string,
    private readonly onRows: (n: number) => void,
  ) {
    super({ readableHighWaterMark: BUFFER_BYTES });
    this.push(Buffer.from(head));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let rows = 0;
    let quoted = this.quoted;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === QUOTE) quoted = !quoted;
      else if (b === LF && !quoted) rows++;
    }
    this.quoted = quoted;
    this.rows += rows;
    if (rows > 0) this.onRows(rows);
    done(null, chunk);
  }
}

const COMMA_LF = Buffer.from(',\n');

/**
 * Frames COPY's one-object-per-line output as the export's JSON array (docs/FORMATS.md §1): `[`,
 * then `\n{…}` for the first row and `,\n{…}` for the next ones, then `\n]\n` (`[]\n` when there
 * is no row). The LF that ends a row is held back until the next row, or the end, shows which.
 */
export class JsonArrayFramer extends Transform {
  rows = 0;
  /** A row's LF was seen and not written yet. */
  private pending = false;
  private started = false;

  constructor(private readonly onRows: (n: number) => void) {
    super({ readableHighWaterMark: BUFFER_BYTES });
    this.push(Buffer.from('['));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (chunk.length === 0) return done();
    // Row ends inside the chunk; one at its very end stays pending.
    let lfs = 0;
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) lfs++;
    const endsRow = chunk[chunk.length - 1] === LF;
    const prefix = this.pending ? COMMA_LF : this.started ? null : Buffer.from('\n');
    this.started = true;
    const inner = endsRow ? lfs - 1 : lfs;
    const out = Buffer.allocUnsafe(
      (prefix?.length ?? 0) + chunk.length - (endsRow ? 1 : 0) + inner,
    );
    let o = prefix ? prefix.copy(out, 0) : 0;
    let start = 0;
    const stop = endsRow ? chunk.length - 1 : chunk.length;
    for (let i = chunk.indexOf(LF); i !== -1 && i < stop; i = chunk.indexOf(LF, i + 1)) {
      o += chunk.copy(out, o, start, i);
      o += COMMA_LF.copy(out, o);
      start = i + 1;
    }
    chunk.copy(out, o, start, stop);
    this.pending = endsRow;
    this.rows += lfs;
    if (lfs > 0) this.onRows(lfs);
    done(null, out);
  }

  override _flush(done: TransformCallback): void {
    done(null, Buffer.from(this.rows === 0 ? ']\n' : '\n]\n'));
  }
}
