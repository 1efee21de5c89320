import { Parser, type ParseResult } from 'papaparse';

import { RowErrorCode } from '@ferry/contracts';

import { HAS_NUL, NOT_UTF8, REPLACEMENT_CHAR } from '../stream/text-chunks';
import { type CsvRecord } from './csv-record';

const LF = 10;
const CR = 13;

const QUOTE_MESSAGES: Readonly<Record<string, string>> = {
  MissingQuotes: 'a quoted field that starts in this row is never closed',
  InvalidQuotes:
    'a closing quote is followed by something other than a comma or the end of the line',
};

/**
 * Turns decoded CSV text, pushed chunk by chunk, into records numbered by the physical line they
 * start on. papaparse's Parser does the splitting; this class keeps the unfinished last row
 * between chunks and does the line arithmetic once per chunk unless a chunk has quoted newlines.
 */
export class CsvTextParser {
  private parser: Parser | null = null;
  /** Line breaks are '\n' (LF and CRLF, a trailing CR is dropped) or '\r' (old Mac files). */
  private newline: '\n' | '\r' = '\n';
  private pending = '';
  private nextLine = 1;
  /** After a row grew past the limit: the rest of its line is dropped up to the next line break. */
  private skipping = false;
  private readonly limits: CsvLimits;

  constructor(limits: number | Partial<CsvLimits>) {
    const given = typeof limits === 'number' ? { maxRowChars: limits } : limits;
    this.limits = { ...DEFAULT_CSV_LIMITS, ...given };
  }

  private get maxRowChars(): number {
    return this.limits.maxRowChars;
  }

  /** Parses what is complete in `pending + text`; `final` flushes the last row too. */
  push(chunk: string, final: boolean): CsvRecord[] {
    let text = chunk;
    if (this.skipping) {
      const at = this.parser ? text.indexOf(this.newline) : text.search(/[\r\n]/);
      if (at === -1) return [];
      this.skipping = false;
      this.nextLine++;
      text = text.slice(at + 1);
    }
    const input = this.pending + text;
    this.pending = '';
    if (!this.parser) {
      const newline = detectNewline(input, final);
      if (newline === null) {
        this.pending = input;
        return this.checkPending([]);
      }
      this.newline = newline;
      this.parser = new Parser({ delimiter: ',', newline, quoteChar: '"' });
    }
    const result = this.parser.parse(input, 0, !final) as ParseResult<string[]>;
    const rows = result.data;
    const consumed = final ? input.length : result.meta.cursor;
    const records = this.toRecords(rows, result.errors, input, consumed, final);
    if (final) return records;
    this.pending = input.substring(consumed);
    return this.checkPending(records);
  }

  private toRecords(
    rows: string[][],
    errors: ParseResult<string[]>['errors'],
    input: string,
    consumed: number,
    final: boolean,
  ): CsvRecord[] {
    const nl = this.newline;
    const terminators = final && rows.length > 0 ? rows.length - 1 : rows.length;
    // Usually every row is one line: then there is no need to look inside the values.
    const embedded = countChar(input, nl, consumed) - terminators;
    const checkSize = consumed > this.maxRowChars;
    const { maxColumns, maxCellChars } = this.limits;
    const checkCells = consumed > maxCellChars;
    // Bytes that are not UTF-8 were decoded to U+FFFD: only then are the values searched.
    const badText = input.indexOf(REPLACEMENT_CHAR) !== -1;
    const hasNul = input.indexOf('\0') !== -1;
    const quoteErrors = errors.length > 0 ? quoteErrorsByRow(errors, rows.length) : null;
    const records: CsvRecord[] = [];
    let line = this.nextLine;
    for (let i = 0; i < rows.length; i++) {
      const values = rows[i];
      const start = line;
      line += embedded > 0 ? 1 + countInValues(values, nl) : 1;
      if (nl === '\n') {
        const last = values[values.length - 1];
        if (last.charCodeAt(last.length - 1) === CR) values[values.length - 1] = last.slice(0, -1);
      }
      if (values.length === 1 && values[0] === '') continue;
      const record: CsvRecord = { line: start, values, error: undefined, errorCode: undefined };
      const quoteError = quoteErrors?.get(i);
      if (quoteError) {
        record.error = quoteError;
        record.errorCode = RowErrorCode.MALFORMED_ROW;
      } else if (checkSize && rowChars(values) > this.maxRowChars) {
        record.error = tooLong(this.maxRowChars);
        record.errorCode = RowErrorCode.ROW_TOO_LARGE;
      } else if (values.length > maxColumns) {
        record.error = `the row has ${values.length} columns, more than the limit of ${maxColumns} (FERRY_MAX_COLUMNS)`;
        record.errorCode = RowErrorCode.MALFORMED_ROW;
      } else if (badText && values.some((v) => v.includes(REPLACEMENT_CHAR))) {
        record.error = NOT_UTF8;
        record.errorCode = RowErrorCode.MALFORMED_ROW;
      } else if (hasNul && values.some((v) => v.includes('\0'))) {
        record.error = HAS_NUL;
        record.errorCode = RowErrorCode.MALFORMED_ROW;
      } else if (checkCells) {
        const long = values.findIndex((v) => v.length > maxCellChars);
        if (long !== -1) {
          record.error = `column ${long + 1} is longer than ${maxCellChars} bytes (FERRY_MAX_CELL_BYTES)`;
          record.errorCode = RowErrorCode.TOO_LONG;
        }
      }
      records.push(record);
    }
    this.nextLine = line;
    return records;
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
    this.nextLine += countChar(this.pending, this.newline, this.pending.length);
    this.pending = '';
    this.skipping = true;
    return records;
  }
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

/** The first papaparse error of each finished row, as a sentence. */
function quoteErrorsByRow(
  errors: ParseResult<string[]>['errors'],
  rowCount: number,
): Map<number, string> {
  const byRow = new Map<number, string>();
  for (const err of errors) {
    // An error on the unfinished last row is papaparse guessing; that row is parsed again later.
    if (err.row === undefined || err.row >= rowCount || byRow.has(err.row)) continue;
    byRow.set(err.row, QUOTE_MESSAGES[err.code] ?? `the row is not valid CSV: ${err.message}`);
  }
  return byRow;
}

/** LF when the first line break is LF or CRLF, CR when it is a lone CR; null until one is seen. */
function detectNewline(text: string, final: boolean): '\n' | '\r' | null {
  const lf = text.indexOf('\n');
  const cr = text.indexOf('\r');
  if (cr === -1 || (lf !== -1 && lf < cr)) return lf === -1 && !final ? null : '\n';
  if (cr + 1 < text.length) return text.charCodeAt(cr + 1) === LF ? '\n' : '\r';
  return final ? '\r' : null;
}

function countChar(text: string, ch: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf(ch); i !== -1 && i < end; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

function countInValues(values: string[], ch: string): number {
  let n = 0;
  for (const v of values) if (v.length > 0) n += countChar(v, ch, v.length);
  return n;
}

function rowChars(values: string[]): number {
  let n = values.length;
  for (const v of values) n += v.length;
  return n;
}
