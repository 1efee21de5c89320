/**
 * A hand-written RFC 3339 check (`2024-01-31T12:00:00.123+02:00`): about a hundred times cheaper
 * than a regex plus `new Date()`, and strict where Date is lax (it rolls 2024-02-30 over to March
 * and reads a time without a zone as local time).
 */

export enum TimestampProblem {
  None = 0,
  Malformed = 1,
  NoZone = 2,
  OutOfRange = 3,
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** What is wrong with `s` as an RFC 3339 date-time with a zone, or None. */
export function checkRfc3339(s: string): TimestampProblem {
  const n = s.length;
  if (n < 19) return TimestampProblem.Malformed;
  const hi = two(s, 0);
  const lo = two(s, 2);
  const sep = s.charCodeAt(10);
  if (hi < 0 || lo < 0 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45)
    return TimestampProblem.Malformed;
  if (sep !== 84 && sep !== 116 && sep !== 32) return TimestampProblem.Malformed; // T t space
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return TimestampProblem.Malformed;
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  if (month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0)
    return TimestampProblem.Malformed;

  let i = 19;
  if (i < n && s.charCodeAt(i) === 46) {
    const start = ++i;
    while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    if (i === start || i - start > 9) return TimestampProblem.Malformed;
  }
  if (i === n) return TimestampProblem.NoZone;
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) {
    if (i + 1 !== n) return TimestampProblem.Malformed;
  } else if (z === 43 || z === 45) {
    if (i + 6 !== n || s.charCodeAt(i + 3) !== 58) return TimestampProblem.Malformed;
    const oh = two(s, i + 1);
    const om = two(s, i + 4);
    if (oh < 0 || om < 0) return TimestampProblem.Malformed;
    if (oh > 23 || om > 59) return TimestampProblem.OutOfRange;
  } else {
    return TimestampProblem.Malformed;
  }

  const year = hi * 100 + lo;
  if (year < 1 || month < 1 || month > 12 || day < 1) return TimestampProblem.OutOfRange;
  if (day > (month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month]))
    return TimestampProblem.OutOfRange;
  // 60 is a leap second, which RFC 3339 allows and PostgreSQL reads as the next minute.
  if (hour > 23 || minute > 59 || second > 60) return TimestampProblem.OutOfRange;
  return TimestampProblem.None;
}

/** A valid timestamp in the form PostgreSQL and JSON consumers expect: `T` and `Z` upper case. */
export function normalizeRfc3339(s: string): string {
  const sep = s.charCodeAt(10);
  const last = s.charCodeAt(s.length - 1);
  if (sep === 84 && last !== 122) return s;
  return `${s.slice(0, 10)}T${s.slice(11, last === 122 ? -1 : undefined)}${last === 122 ? 'Z' : ''}`;
}

/** The sentence for a RowError about `value` in `column`. */
export function describeTimestampProblem(
  column: string,
  value: string,
  problem: TimestampProblem,
): string {
  const shown = JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  switch (problem) {
    case TimestampProblem.NoZone:
      return `${column} ${shown} has no time zone; add Z or an offset such as +02:00`;
    case TimestampProblem.OutOfRange:
      return `${column} ${shown} is not a real date and time`;
    case TimestampProblem.Malformed:
    case TimestampProblem.None:
      return `${column} ${shown} is not an RFC 3339 time such as 2024-01-31T12:00:00Z`;
  }
}
