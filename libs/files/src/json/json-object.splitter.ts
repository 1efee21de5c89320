/**
 * Splits the text of one JSON element (bounded in size by the scanner) into its top-level keys
 * and values. Written by hand rather than `JSON.parse` + `String(value)` so a number keeps exactly
 * the digits the file has (no 0.1 + 0.2 surprises, no 2^53 cut) and a nested object keeps its
 * text for jsonb.
 */

export type SplitResult = { keys: string[]; values: string[] } | { error: string };

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

class SyntaxProblem {
  constructor(readonly message: string) {}
}

/** JSON's four whitespace characters (RFC 8259 §2), by char code. */
export function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

export function splitJsonObject(text: string): SplitResult {
  try {
    return split(text);
  } catch (err) {
    if (err instanceof SyntaxProblem) return { error: err.message };
    throw err;
  }
}

function split(text: string): { keys: string[]; values: string[] } {
  const n = text.length;
  let i = skipWs(text, 0);
  if (text.charCodeAt(i) !== 123) {
    const kind = text[i] === '[' ? 'an array' : text[i] === '"' ? 'a string' : 'a scalar value';
    throw new SyntaxProblem(`the element is ${kind}, not an object`);
  }
  const keys: string[] = [];
  const values: string[] = [];
  const at = new Map<string, number>();
  i = skipWs(text, i + 1);
  if (text.charCodeAt(i) === 125) return end(text, i + 1, keys, values);
  for (;;) {
    if (text.charCodeAt(i) !== 34) throw problem(text, i, 'a key in double quotes');
    const keyEnd = stringEnd(text, i);
    const key = decodeString(text, i, keyEnd);
    i = skipWs(text, keyEnd);
    if (text.charCodeAt(i) !== 58) throw problem(text, i, "':' after the key");
    i = skipWs(text, i + 1);
    const c = text.charCodeAt(i);
    let value: string;
    let next: number;
    if (c === 34) {
      next = stringEnd(text, i);
      value = decodeString(text, i, next);
    } else if (c === 123 || c === 91) {
      next = containerEnd(text, i);
      value = text.slice(i, next);
      try {
        JSON.parse(value);
      } catch (err) {
        throw new SyntaxProblem(
          `the value of ${JSON.stringify(key)} is not valid JSON (${(err as Error).message})`,
        );
      }
    } else {
      next = i;
      while (next < n && !isWs(text.charCodeAt(next)) && text[next] !== ',' && text[next] !== '}')
        next++;
      const literal = text.slice(i, next);
      if (literal === 'null') value = '';
      else if (literal === 'true' || literal === 'false' || NUMBER.test(literal)) value = literal;
      else throw problem(text, i, 'a value');
    }
    const seen = at.get(key);
    if (seen === undefined) {
      at.set(key, keys.length);
      keys.push(key);
      values.push(value);
    } else {
      values[seen] = value; // as JSON.parse does: the last of repeated keys wins
    }
    i = skipWs(text, next);
    const sep = text.charCodeAt(i);
    if (sep === 44) {
      i = skipWs(text, i + 1);
      continue;
    }
    if (sep === 125) return end(text, i + 1, keys, values);
    throw problem(text, i, "',' or '}'");
  }
}

function end(
  text: string,
  i: number,
  keys: string[],
  values: string[],
): { keys: string[]; values: string[] } {
  const j = skipWs(text, i);
  if (j < text.length) throw problem(text, j, 'nothing after the closing }');
  return { keys, values };
}

function skipWs(text: string, i: number): number {
  while (i < text.length && isWs(text.charCodeAt(i))) i++;
  return i;
}

/** Index just past the closing quote of the string opening at `i`. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 92) j++;
    else if (c === 34) return j + 1;
  }
  throw new SyntaxProblem('a string is never closed');
}

function decodeString(text: string, start: number, end: number): string {
  const slice = text.slice(start, end);
  if (slice.indexOf('\\') === -1 && !hasControl(slice)) return slice.slice(1, -1);
  try {
    return JSON.parse(slice) as string;
  } catch {
    throw new SyntaxProblem(`the string ${truncate(slice)} is not valid JSON`);
  }
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 32) return true;
  return false;
}

/** Index just past the bracket closing the object or array opening at `i` (string aware). */
function containerEnd(text: string, i: number): number {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 34) j = stringEnd(text, j) - 1;
    else if (c === 101 || c === 69) checkExponent(text, j);
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      if (--depth === 0) return j + 1;
    }
  }
  throw new SyntaxProblem('an object or array is never closed');
}

/** Most exponent digits of a nested number: PostgreSQL's jsonb holds about 1e±131072, and a
 * 10-character 1e131000 would be stored as 131,000 digits. */
const MAX_EXPONENT_DIGITS = 3;

/** Outside strings an `e` can only be a number's exponent (or inside true/false, before no digit). */
function checkExponent(text: string, e: number): void {
  let j = e + 1;
  if (text[j] === '+' || text[j] === '-') j++;
  let digits = 0;
  while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) {
    j++;
    digits++;
  }
  if (digits > MAX_EXPONENT_DIGITS) {
    throw new SyntaxProblem(
      `the number ${truncate(text.slice(Math.max(0, e - 10), j))} is too large or too small (exponent above 999)`,
    );
  }
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function problem(text: string, i: number, expected: string): SyntaxProblem {
  const found =
    i >= text.length ? 'the end of the element' : JSON.stringify(truncate(text.slice(i, i + 20)));
  return new SyntaxProblem(
    `expected ${expected} at character ${i + 1} of the element, found ${found}`,
  );
}
