/**
 * Spreadsheet formula injection guard of docs/FORMATS.md §1. An exported cell that begins with = + - @ tab
 * or CR gets a leading `'` (unless it is a plain number); an import removes such a `'` again,
 * so an exported file imports back unchanged. (The one value that cannot survive the rule is one
 * that itself begins with `'` and a trigger: an import reads `'=x` as `=x`.)
 */

const QUOTE = 0x27;

function isTrigger(code: number): boolean {
  // = + - @ \t \r
  return (
    code === 0x3d ||
    code === 0x2b ||
    code === 0x2d ||
    code === 0x40 ||
    code === 0x09 ||
    code === 0x0d
  );
}

/** Removes the guard `'` from a cell read from a CSV file (one char check on the common path). */
export function unescapeFormulaCell(value: string): string {
  return value.charCodeAt(0) === QUOTE && value.length > 1 && isTrigger(value.charCodeAt(1))
    ? value.slice(1)
    : value;
}

const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Adds the guard `'` to a cell written to a CSV file when a spreadsheet would run it as a formula. */
export function escapeFormulaCell(value: string): string {
  if (value.length === 0) return value;
  const first = value.charCodeAt(0);
  return isTrigger(first) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}
