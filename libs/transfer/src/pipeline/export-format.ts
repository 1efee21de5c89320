import { FileType } from '@ferry/contracts';
import { formatCsvRow } from '@ferry/files';

import type { ExportColumn } from '../export-definition';

/** Turns rows (text cells in column order, null = no value) into the bytes of a CSV or JSON file. */
export interface ExportFormatter {
  contentType: string;
  extension: string;
  head(): string;
  rows(rows: ReadonlyArray<ReadonlyArray<string | null>>): string;
  tail(): string;
}

/** A CSV of `formatCsvRow` lines (libs/files), the writer `/errors` uses too. */
class CsvFormatter implements ExportFormatter {
  readonly contentType = 'text/csv; charset=utf-8';
  readonly extension = 'csv';
  constructor(private readonly columns: readonly ExportColumn[]) {}
  head(): string {
    return formatCsvRow(this.columns.map((c) => c.name));
  }
  rows(rows: ReadonlyArray<ReadonlyArray<string | null>>): string {
    let out = '';
    for (const row of rows) out += formatCsvRow(row);
    return out;
  }
  tail(): string {
    return '';
  }
}

/** A top-level JSON array, one object per line; `json` columns are embedded as objects. */
class JsonFormatter implements ExportFormatter {
  readonly contentType = 'application/json';
  readonly extension = 'json';
  private readonly keys: string[];
  private first = true;
  constructor(private readonly columns: readonly ExportColumn[]) {
    this.keys = columns.map((c, i) => (i === 0 ? '{' : ',') + JSON.stringify(c.name) + ':');
  }
  head(): string {
    return '[';
  }
  rows(rows: ReadonlyArray<ReadonlyArray<string | null>>): string {
    let out = '';
    for (const row of rows) {
      let obj = this.first ? '\n' : ',\n';
      this.first = false;
      for (let i = 0; i < row.length; i++) {
        const v = row[i];
        obj +=
          this.keys[i] +
          (v === null ? 'null' : this.columns[i].kind === 'json' ? v : JSON.stringify(v));
      }
      out += obj + '}';
    }
    return out;
  }
  tail(): string {
    return this.first ? ']\n' : '\n]\n';
  }
}

export function exportFormatter(
  fileType: FileType,
  columns: readonly ExportColumn[],
): ExportFormatter {
  return fileType === FileType.JSON ? new JsonFormatter(columns) : new CsvFormatter(columns);
}
