import { type RowErrorCode } from '@ferry/contracts';

/** One CSV record: where it starts in the file and its cells, or why it could not be read. */
export interface CsvRecord {
  /** Physical line the record starts on (header = 1), counting blank lines and quoted newlines. */
  line: number;
  values: string[];
  /** Set when the record is malformed (a sentence); `values` then holds what could be read. */
  error?: string;
  errorCode?: RowErrorCode.MALFORMED_ROW | RowErrorCode.ROW_TOO_LARGE | RowErrorCode.TOO_LONG;
}
