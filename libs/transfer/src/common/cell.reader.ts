import {
  checkRfc3339,
  describeTimestampProblem,
  normalizeRfc3339,
  RowErrorCode,
  TimestampProblem,
} from '@ferry/contracts';
import { unescapeFormulaCell } from '@ferry/files';

import { invalid, required, RowProblem, show } from './row-problem';

const DECIMAL = /^\d{1,20}(\.\d{1,12})?$/;
/** What Go's decimal parser also takes (docs/FORMATS.md §2): `.5`, `5.`, `+5`, `1e3`. */
const LOOSE_DECIMAL = /^\+?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const INTEGER = /^\d{1,10}$/;

/** True for an empty cell or one of spaces only (a char check before any trim on the common path). */
export function isBlank(value: string): boolean {
  return value.length === 0 || (value.charCodeAt(0) <= 32 && value.trim().length === 0);
}

/**
 * Typed reads of one row's cells by column position (compiled once per header). Every read
 * either returns the value (null for a blank or absent cell) or throws a RowProblem naming the
 * column and the value: a number or date that does not parse never becomes a zero.
 */
export class CellReader {
  private values: readonly string[] = [];

  at(values: readonly string[]): this {
    this.values = values;
    return this;
  }

  /**
   * The trimmed-of-formula-guard cell, '' when blank, null when the column is absent (from the
   * header, or from a row shorter than it).
   */
  raw(index: number): string | null {
    if (index < 0 || index >= this.values.length) return null;
    const v = unescapeFormulaCell(this.values[index]);
    return isBlank(v) ? '' : v;
  }

  text(column: string, index: number, max: number): string | null {
    const v = this.raw(index);
    if (v === null || v === '') return null;
    if (v.length > max) {
      throw new RowProblem(
        RowErrorCode.TOO_LONG,
        `${column} is ${v.length} characters long, more than the ${max} allowed`,
      );
    }
    if (v.indexOf('\0') !== -1)
      throw invalid(`${column} ${show(v)} contains a NUL character, which cannot be stored`);
    return v;
  }

  requiredText(column: string, index: number, max: number): string {
    const v = this.text(column, index, max);
    if (v === null) throw required(column);
    return v;
  }

  oneOf<T extends string>(column: string, index: number, allowed: readonly T[]): T | null {
    const v = this.raw(index);
    if (v === null || v === '') return null;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    throw invalid(`${column} ${show(v)} is not one of ${allowed.join(', ')}`);
  }

  /** A non-negative decimal as its text (up to 20 digits and 12 decimals), for a numeric column. */
  decimal(column: string, index: number): string | null {
    const v = this.raw(index);
    if (v === null || v === '') return null;
    return checkDecimal(column, v.trim());
  }

  integer(column: string, index: number, min: number, max: number): number | null {
    const v = this.raw(index);
    if (v === null || v === '') return null;
    const t = v.trim();
    const n = INTEGER.test(t) ? Number(t) : NaN;
    if (Number.isNaN(n)) throw invalid(`${column} ${show(v)} is not a whole number`);
    if (n < min || n > max) throw invalid(`${column} ${show(v)} must be between ${min} and ${max}`);
    return n;
  }

  /**
   * An RFC 3339 time with a zone, normalised (`T`, `Z`), checked to be a real date; a date alone
   * (`2024-01-31`) is midnight UTC, as Flexprice reads it (docs/FORMATS.md §2).
   */
  time(column: string, index: number): string | null {
    const raw = this.raw(index);
    if (raw === null || raw === '') return null;
    const v = DATE_ONLY.test(raw) ? `${raw}T00:00:00Z` : raw;
    const problem = checkRfc3339(v);
    if (problem !== TimestampProblem.None)
      throw invalid(describeTimestampProblem(column, v, problem));
    return normalizeRfc3339(v);
  }
}

export function checkDecimal(column: string, text: string): string {
  const v = DECIMAL.test(text) ? text : (plainDecimal(text) ?? text);
  if (!DECIMAL.test(v)) {
    throw invalid(
      `${column} ${show(text)} is not a decimal number such as 12.50 (at most 20 digits before the point and 12 after, not negative)`,
    );
  }
  return v;
}

/**
 * A decimal in one of the looser forms as plain digits (`.5` → `0.5`, `+5` → `5`, `1e3` →
 * `1000`, `1.50e-1` → `0.150`), exactly (no floating point), or null when it is none of them.
 */
function plainDecimal(text: string): string | null {
  const m = LOOSE_DECIMAL.exec(text);
  if (!m) return null;
  const intPart = m[1];
  const frac = m[2] ?? '';
  if (intPart === '' && frac === '') return null;
  const exp = m[3] === undefined ? 0 : Number(m[3]);
  let digits = intPart + frac;
  let point = intPart.length + exp;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  const whole = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  const fraction = digits.slice(point);
  return fraction === '' ? whole : `${whole}.${fraction}`;
}
