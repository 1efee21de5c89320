import { Parser, ParseResult } from 'papaparse';
import { FerryError, RowErrorCode } from '@ferry/contracts';
import { CsvRecord } from './csv-record';

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

  constructor(private readonly maxRowChars: number) {}

  /** Parses what is complete in `pending + text`; `final` flushes the last row too. */
  push(text: string, final: boolean): CsvRecord[] {
    const input = this.pending + text;
    this.pending = '';
    if (!this.parser) {
      const newline = detectNewline(input, final);
      if (newline === null) {
        this.pending = input;
        this.checkPending();
        return [];
      }
      this.newline = newline;
      this.parser = new Parser({ delimiter: ',', newline, quoteChar: '"' });
    }
    const result = this.parser.parse(input, 0, !final) as ParseResult<string[]>;
    const rows = result.data;
    const consumed = final ? input.length : result.meta.cursor;
    const records = this.toRecords(rows, result.errors, input, consumed, final);
    if (!final) {
      this.pending = input.substring(consumed);
      this.checkPending();
    }
    return records;
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
        record.error = `the row is longer than ${this.maxRowChars} bytes`;
        record.errorCode = RowErrorCode.ROW_TOO_LARGE;
      }
      records.push(record);
    }
    this.nextLine = line;
    return records;
  }

  private checkPending(): void {
    if (this.pending.length > this.maxRowChars) {
      throw FerryError.validation(
        `the row starting on line ${this.nextLine} is longer than ${this.maxRowChars} bytes (is a quote left open?)`,
        { line: this.nextLine, max_row_bytes: this.maxRowChars },
      );
    }
  }
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
