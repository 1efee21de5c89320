import { type RowErrorCode } from './error-codes';

/** A rejected row: where it starts in the file, why, and its original cells. */
export interface RowError {
  /** The line the record starts on (header = line 1); for JSON, the element's 1-based position. */
  row_number: number;
  code: RowErrorCode;
  /** Names the column and the bad value, e.g. `timestamp "yesterday" is not an RFC 3339 time`. */
  message: string;
  /** The row's original cells, by column name, so the user can fix and re-import it. */
  raw: Record<string, string>;
}

export const ERROR_SUMMARY_MAX_ROWS = 10;
export const ERROR_SUMMARY_MAX_BYTES = 2048;

/**
 * `error_summary` of docs/API.md §3: the first 10 row errors as `row N: message`, then `… and K more`,
 * never over 2 KB.
 */
export function summarizeRowErrors(
  first: ReadonlyArray<Pick<RowError, 'row_number' | 'message'>>,
  total: number,
): string | null {
  if (total === 0) return null;
  const lines = first
    .slice(0, ERROR_SUMMARY_MAX_ROWS)
    .map((e) => `row ${e.row_number}: ${e.message}`);
  const more = total - lines.length;
  let text = lines.join('; ');
  const tail = more > 0 ? `; … and ${more} more` : '';
  return boundText(text + tail, ERROR_SUMMARY_MAX_BYTES, () => {
    text = truncateUtf8(text, ERROR_SUMMARY_MAX_BYTES - Buffer.byteLength(tail) - 3) + '...';
    return text + tail;
  });
}

function boundText(text: string, max: number, shorten: () => string): string {
  return Buffer.byteLength(text) <= max ? text : shorten();
}

/** Cuts a string to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  // Slicing counts UTF-16 units: a cut may leave the high half of a surrogate pair, which UTF-8
  // would encode as U+FFFD (3 bytes), so it must go too.
  let end = Math.min(maxBytes, text.length);
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  let out = text.slice(0, end);
  while (Buffer.byteLength(out) > maxBytes) {
    const cut = out.length >= 2 && isLowSurrogate(out.charCodeAt(out.length - 1)) ? 2 : 1;
    out = out.slice(0, -cut);
  }
  return out;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * A row read with a leniency (docs/FORMATS.md §1): imported, but not quite as written (a short or
 * long row, trimmed blanks, a stray quote, a cell ignored). Listed by `/warnings`, never counted
 * as rejected.
 */
export interface RowWarning {
  /** The line the record starts on (header = line 1). */
  row_number: number;
  /** Every leniency of the row, `; `-separated, each naming its columns. */
  message: string;
  /** The row's cells as read, by column name. */
  raw: Record<string, string>;
}
