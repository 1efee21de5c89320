import { escapeFormulaCell } from './formula-cell';

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One cell of a CSV a user will open in a spreadsheet: guarded against formula injection
 * (docs/FORMATS.md §1), then quoted per RFC 4180 (quotes doubled) when it holds a comma, a quote
 * or a line break. `null` (no value) is an empty cell.
 */
export function formatCsvCell(value: string | null): string {
  if (value === null || value.length === 0) return '';
  const v = escapeFormulaCell(value);
  return NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * One CSV line of such cells, ended by LF: the one CSV writer of exports and `/errors` alike
 * (docs/DECISIONS.md, decision 32, says why LF and not RFC 4180's CRLF).
 */
export function formatCsvRow(cells: ReadonlyArray<string | null>): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) line += ',';
    line += formatCsvCell(cells[i]);
  }
  return line + '\n';
}
