import { type RowError, RowErrorCode } from '@ferry/contracts';

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
 * The shared half of every entity's row mapping: the cell-count check, typed cell reads, and one
 * catch per row turning a RowProblem into a RowError with the row's original cells.
 */
export abstract class BaseRowMapper<R> implements CompiledRowMapper<R> {
  protected readonly cells = new CellReader();

  constructor(
    protected readonly header: readonly string[],
    readonly ignoredColumns: string[],
  ) {}

  map(values: string[], line: number): R | RowError {
    if (values.length !== this.header.length) {
      return {
        row_number: line,
        code: RowErrorCode.MALFORMED_ROW,
        message: `the row has ${values.length} cells but the header has ${this.header.length} columns`,
        raw: rawCells(this.header, values),
      };
    }
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

  protected abstract read(cells: CellReader, origin: RowOrigin): R;
}
