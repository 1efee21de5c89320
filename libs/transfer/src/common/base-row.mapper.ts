import { type RowError, type RowErrorCode } from '@ferry/contracts';

import { type CompiledRowMapper } from '../entity-definition';
import { CellReader } from './cell.reader';
import { rawCells } from './raw-cells';
import { RowProblem } from './row-problem';

/** Where a record came from, so a row the writer refuses later still has its line and cells. */
export interface RowOrigin {
  line: number;
  header: readonly string[];
  cells: readonly string[];
}

/** The RowError for a record the batch writer refuses (not_found, already_exists). */
export function refusedRecord(origin: RowOrigin, code: RowErrorCode, message: string): RowError {
  return { row_number: origin.line, code, message, raw: rawCells(origin.header, origin.cells) };
}

/**
 * The shared half of every entity's row mapping: typed cell reads, the warnings of ignored cells,
 * and one catch per row turning a RowProblem into a RowError with the row's original cells. A row
 * may be shorter than the header (docs/FORMATS.md §1): its missing cells read as absent columns.
 */
export abstract class BaseRowMapper<R> implements CompiledRowMapper<R> {
  protected readonly cells = new CellReader();
  private warnings: string[] | null = null;

  constructor(
    protected readonly header: readonly string[],
    readonly ignoredColumns: string[],
  ) {}

  map(values: string[], line: number): R | RowError {
    this.warnings = null;
    try {
      return this.read(this.cells.at(values), { line, header: this.header, cells: values });
    } catch (err) {
      if (!(err instanceof RowProblem)) throw err;
      return {
        row_number: line,
        code: err.code,
        message: err.message,
        raw: rawCells(this.header, values),
      };
    }
  }

  takeWarnings(): string[] | null {
    const w = this.warnings;
    this.warnings = null;
    return w;
  }

  /** Notes a cell the row's rules ignore (docs/FORMATS.md §2): a warning, not a row error. */
  protected warn(message: string): void {
    (this.warnings ??= []).push(message);
  }

  protected abstract read(cells: CellReader, origin: RowOrigin): R;
}
