import { RowErrorCode } from '@ferry/contracts';

/**
 * Why a row is refused, thrown by the cell checks and caught once per row by the mapper. Not an
 * Error: no stack is captured, so a file full of bad rows stays cheap.
 */
export class RowProblem {
  constructor(
    readonly code: RowErrorCode,
    readonly message: string,
  ) {}
}

/** A value quoted for a message, cut short when long. */
export function show(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

export function invalid(message: string): RowProblem {
  return new RowProblem(RowErrorCode.INVALID_VALUE, message);
}

export function required(column: string, why = ''): RowProblem {
  return new RowProblem(RowErrorCode.REQUIRED, `${column} is required${why}`);
}
