import { RowErrorCode } from '@ferry/contracts';

import { HAS_NUL, NOT_UTF8, REPLACEMENT_CHAR } from '../stream/text-chunks';
import { type CsvRecord } from './csv-record';

const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;

const NEVER_CLOSED = 'a quoted field that starts in this row is never closed';
const TEXT_AFTER_QUOTE =
  'a closing quote is followed by something other than a comma or the end of the line';
const BARE_QUOTE = 'a quote appears inside a field that does not start with one';

/** One record's text as the parser split it, before the limits are checked. */
interface Parsed {
  values: string[];
  /** Index just past the record's line break (or the end of the input). */
  end: number;
  /** Line breaks the record spans, its own included (quoted newlines count). */
  lines: number;
  /** 1-based columns whose leading blanks were trimmed (lenient only). */
  trimmed: number[] | null;
  /** 1-based columns holding a quote taken literally (lenient only). */
  strayQuotes: number[] | null;
  /** Set in strict mode for a stray quote, or in any mode for a quote never closed. */
  error: string | null;
}

/**
 * Turns decoded CSV text, pushed chunk by chunk, into records numbered by the physical line they
 * start on. Splits as Go's `encoding/csv` does, which is what Flexprice reads files with
 * (docs/FORMATS.md §1): in `lenient` mode with `LazyQuotes` and `TrimLeadingSpace` (a stray quote
 * is a character, leading blanks are dropped from every cell, each noted on the record for a
 * warning), otherwise strictly (a stray quote is a row error, cells are kept as written). Rows
 * without a quote take a fast path (one `split`); the unfinished last row is kept between chunks.
 */
export class CsvTextParser {
  /** Line breaks are '\n' (LF and CRLF, a trailing CR is dropped) or '\r' (old Mac files). */
  private newline: '\n' | '\r' | null = null;
  private pending = '';
  private nextLine = 1;
  /** After a row grew past the limit: the rest of its line is dropped up to the next line break. */
  private skipping = false;
  private readonly limits: CsvLimits;
  private readonly lenient: boolean;

  constructor(limits: number | Partial<CsvLimits>, opts: { lenient?: boolean } = {}) {
    const given = typeof limits === 'number' ? { maxRowChars: limits } : limits;
    this.limits = { ...DEFAULT_CSV_LIMITS, ...given };
    this.lenient = opts.lenient ?? false;
  }

  private get maxRowChars(): number {
    return this.limits.maxRowChars;
  }

  /** Parses what is complete in `pending + text`; `final` flushes the last row too. */
  push(chunk: string, final: boolean): CsvRecord[] {
    let text = chunk;
    if (this.skipping) {
      const at = this.newline ? text.indexOf(this.newline) : text.search(/[\r\n]/);
      if (at === -1) return [];
      this.skipping = false;
      this.nextLine++;
      text = text.slice(at + 1);
    }
    const input = this.pending + text;
    this.pending = '';
    if (!this.newline) {
      const newline = detectNewline(input, final);
      if (newline === null) {
        this.pending = input;
        return this.checkPending([]);
      }
      this.newline = newline;
    }
    const records: CsvRecord[] = [];
    const consumed = this.parseRecords(input, final, records);
    if (final) return records;
    this.pending = input.substring(consumed);
    return this.checkPending(records);
  }

  /** Appends every complete record of `input` to `out`; returns where the unfinished one starts. */
  private parseRecords(input: string, final: boolean, out: CsvRecord[]): number {
    const nl = this.newline === '\r' ? CR : LF;
    const nlChar = this.newline ?? '\n';
    const len = input.length;
    let pos = 0;
    // The next quote at or after pos: a row before it takes the fast path.
    let quote = input.indexOf('"');
    // Checks that can only fail when the text holds such a character or is that long.
    const chunk: ChunkFlags = {
      checkSize: len > this.maxRowChars,
      checkCells: len > this.limits.maxCellChars,
      badText: input.indexOf(REPLACEMENT_CHAR) !== -1,
      hasNul: input.indexOf('\0') !== -1,
    };
    while (pos < len) {
      let lineEnd = input.indexOf(nlChar, pos);
      if (lineEnd === -1) {
        if (!final) return pos;
        lineEnd = len;
      }
      if (quote !== -1 && quote < pos) quote = input.indexOf('"', pos);
      let parsed: Parsed | null;
      if (quote === -1 || quote > lineEnd) {
        let stop = lineEnd;
        if (nl === LF && stop > pos && input.charCodeAt(stop - 1) === CR) stop--;
        if (stop === pos) {
          // A blank line: skipped, but counted.
          this.nextLine++;
          pos = lineEnd + 1;
          continue;
        }
        const values = input.substring(pos, stop).split(',');
        const trimmed = this.lenient ? trimLeading(values) : null;
        if (trimmed && values.length === 1 && values[0] === '') {
          this.nextLine++; // a line of blanks only: skipped like a blank line
          pos = lineEnd + 1;
          continue;
        }
        parsed = {
          values,
          end: lineEnd + 1,
          lines: 1,
          trimmed,
          strayQuotes: null,
          error: null,
        };
      } else {
        parsed = this.parseQuoted(input, pos, final, nl);
        if (parsed === null) return pos;
      }
      const v = parsed.values;
      if (v.length === 1 && v[0] === '' && !parsed.error) this.nextLine += parsed.lines;
      else out.push(this.toRecord(parsed, chunk));
      pos = parsed.end;
    }
    return len;
  }

  /**
   * A record with a quote in it, field by field as Go's `encoding/csv` reads it. Null when the
   * input ends before the record does (more text is coming).
   */
  private parseQuoted(input: string, start: number, final: boolean, nl: number): Parsed | null {
    const len = input.length;
    const lenient = this.lenient;
    const values: string[] = [];
    let trimmed: number[] | null = null;
    let stray: number[] | null = null;
    let error: string | null = null;
    let i = start;
    for (;;) {
      const column = values.length + 1;
      if (lenient) {
        const from = i;
        while (i < len && isBlankCode(input.charCodeAt(i))) i++;
        if (i > from) (trimmed ??= []).push(column);
      }
      if (input.charCodeAt(i) !== QUOTE) {
        // An unquoted field: up to the next comma or line break.
        let end = i;
        while (end < len) {
          const c = input.charCodeAt(end);
          if (c === COMMA || c === nl) break;
          end++;
        }
        if (end === len && !final) return null;
        let value = input.substring(i, end);
        if (nl === LF && (end === len || input.charCodeAt(end) === LF)) {
          if (value.charCodeAt(value.length - 1) === CR) value = value.slice(0, -1);
        }
        if (value.indexOf('"') !== -1) {
          if (lenient) (stray ??= []).push(column);
          else error ??= BARE_QUOTE;
        }
        values.push(value);
        if (end < len && input.charCodeAt(end) === COMMA) {
          i = end + 1;
          continue;
        }
        i = end === len ? len : end + 1;
        break;
      }
      // A quoted field: up to a quote followed by a comma or a line break.
      i++;
      let value = '';
      let done = false;
      for (;;) {
        const q = input.indexOf('"', i);
        if (q === -1) {
          if (!final) return null;
          // Go would take the rest of the file as this cell; a quote left open is a row error.
          values.push(value + input.substring(i));
          return this.failed(input, start, values, NEVER_CLOSED, len);
        }
        value += input.substring(i, q);
        i = q + 1;
        if (i >= len) {
          if (!final) return null;
          done = true;
          break;
        }
        const c = input.charCodeAt(i);
        if (c === QUOTE) {
          value += '"';
          i++;
        } else if (c === COMMA) {
          i++;
          break;
        } else if (c === nl) {
          i++;
          done = true;
          break;
        } else if (nl === LF && c === CR && i + 1 < len && input.charCodeAt(i + 1) === LF) {
          i += 2;
          done = true;
          break;
        } else if (nl === LF && c === CR && i + 1 >= len && !final) {
          return null;
        } else if (lenient) {
          value += '"';
          (stray ??= []).push(column);
        } else {
          // The rest of the line is dropped with the record.
          values.push(value);
          let end = input.indexOf(nl === LF ? '\n' : '\r', i);
          if (end === -1) {
            if (!final) return null;
            end = len;
          }
          return this.failed(input, start, values, TEXT_AFTER_QUOTE, Math.min(end + 1, len));
        }
      }
      values.push(value);
      if (done) break;
    }
    if (stray && stray.length > 1) stray = [...new Set(stray)];
    return {
      values,
      end: i,
      lines: countChar(input, nl === LF ? '\n' : '\r', start, i) || 1,
      trimmed,
      strayQuotes: stray,
      error,
    };
  }

  private failed(
    input: string,
    start: number,
    values: string[],
    error: string,
    end: number,
  ): Parsed {
    const nlChar = this.newline ?? '\n';
    return {
      values,
      end,
      lines: Math.max(1, countChar(input, nlChar, start, end)),
      trimmed: null,
      strayQuotes: null,
      error,
    };
  }

  private toRecord(p: Parsed, chunk: ChunkFlags): CsvRecord {
    const values = p.values;
    const record: CsvRecord = {
      line: this.nextLine,
      values,
      error: undefined,
      errorCode: undefined,
    };
    this.nextLine += p.lines;
    if (p.trimmed || p.strayQuotes) {
      record.leniency = { trimmed: p.trimmed ?? [], strayQuotes: p.strayQuotes ?? [] };
    }
    const { maxColumns, maxCellChars } = this.limits;
    if (p.error) {
      record.error = p.error;
      record.errorCode = RowErrorCode.MALFORMED_ROW;
    } else if (chunk.checkSize && rowChars(values) > this.maxRowChars) {
      record.error = tooLong(this.maxRowChars);
      record.errorCode = RowErrorCode.ROW_TOO_LARGE;
    } else if (values.length > maxColumns) {
      record.error = `the row has ${values.length} columns, more than the limit of ${maxColumns} (FERRY_MAX_COLUMNS)`;
      record.errorCode = RowErrorCode.MALFORMED_ROW;
    } else if (chunk.badText && hasChar(values, REPLACEMENT_CHAR)) {
      record.error = NOT_UTF8;
      record.errorCode = RowErrorCode.MALFORMED_ROW;
    } else if (chunk.hasNul && hasChar(values, '\0')) {
      record.error = HAS_NUL;
      record.errorCode = RowErrorCode.MALFORMED_ROW;
    } else if (chunk.checkCells) {
      const long = values.findIndex((v) => v.length > maxCellChars);
      if (long !== -1) {
        record.error = `column ${long + 1} is longer than ${maxCellChars} bytes (FERRY_MAX_CELL_BYTES)`;
        record.errorCode = RowErrorCode.TOO_LONG;
      }
    }
    return record;
  }

  /**
   * An unfinished row longer than the limit (a 10 MB line, a quote never closed) becomes a row
   * error on the line it starts on; what was kept of it is dropped (its line breaks counted) and
   * the rest of its line skipped, so the rows after it are still read.
   */
  private checkPending(records: CsvRecord[]): CsvRecord[] {
    if (this.pending.length <= this.maxRowChars) return records;
    const open = this.pending.startsWith('"') ? ' (is a quote left open?)' : '';
    records.push({
      line: this.nextLine,
      values: [],
      error: `${tooLong(this.maxRowChars)}${open}`,
      errorCode: RowErrorCode.ROW_TOO_LARGE,
    });
    const nl = this.newline ?? '\n';
    this.nextLine += countChar(this.pending, nl, 0, this.pending.length);
    this.pending = '';
    this.skipping = true;
    return records;
  }
}

interface ChunkFlags {
  checkSize: boolean;
  checkCells: boolean;
  badText: boolean;
  hasNul: boolean;
}

export interface CsvLimits {
  /** Longest row, in characters of decoded text (≈ bytes). */
  maxRowChars: number;
  /** Most values in one row (the header included). */
  maxColumns: number;
  /** Longest single value. */
  maxCellChars: number;
}

export const DEFAULT_CSV_LIMITS: CsvLimits = {
  maxRowChars: 1024 * 1024,
  maxColumns: 1000,
  maxCellChars: 64 * 1024,
};

function tooLong(max: number): string {
  return `the row is longer than ${max} bytes (FERRY_MAX_ROW_BYTES)`;
}

/**
 * Blanks Go's `TrimLeadingSpace` drops (`unicode.IsSpace`), line breaks excepted: a line break
 * ends the record.
 */
function isBlankCode(c: number): boolean {
  return (
    c === 32 ||
    c === 9 ||
    c === 11 ||
    c === 12 ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Drops leading blanks from each value in place; the 1-based columns changed, or null. */
function trimLeading(values: string[]): number[] | null {
  let trimmed: number[] | null = null;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (v.length === 0 || !isBlankCode(v.charCodeAt(0))) continue;
    let i = 1;
    while (i < v.length && isBlankCode(v.charCodeAt(i))) i++;
    values[k] = v.substring(i);
    (trimmed ??= []).push(k + 1);
  }
  return trimmed;
}

/** LF when the first line break is LF or CRLF, CR when it is a lone CR; null until one is seen. */
function detectNewline(text: string, final: boolean): '\n' | '\r' | null {
  const lf = text.indexOf('\n');
  const cr = text.indexOf('\r');
  if (cr === -1 || (lf !== -1 && lf < cr)) return lf === -1 && !final ? null : '\n';
  if (cr + 1 < text.length) return text.charCodeAt(cr + 1) === LF ? '\n' : '\r';
  return final ? '\r' : null;
}

function countChar(text: string, ch: string, start: number, end: number): number {
  let n = 0;
  for (let i = text.indexOf(ch, start); i !== -1 && i < end; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

function hasChar(values: readonly string[], ch: string): boolean {
  for (const v of values) if (v.indexOf(ch) !== -1) return true;
  return false;
}

function rowChars(values: string[]): number {
  let n = values.length;
  for (const v of values) n += v.length;
  return n;
}
