import { escapeFormulaCell } from './formula-cell';

const NEEDS_QUOTES = /[",\r\n]/;

/** One RFC 4180 cell: quoted (quotes doubled) when it holds a comma, quote or line break. */
export function formatCsvCell(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * One CSV line (CRLF-terminated, as RFC 4180 says) of cells a user will open in a spreadsheet:
 * each cell guarded against formula injection (docs/FORMATS.md §1), then quoted as needed.
 */
export function formatCsvRow(cells: readonly string[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) line += ',';
    line += formatCsvCell(escapeFormulaCell(cells[i]));
  }
  return line + '\r\n';
}
