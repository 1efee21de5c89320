import { type RowErrorCode } from '@ferry/contracts';

/** One CSV record: where it starts in the file and its cells, or why it could not be read. */
export interface CsvRecord {
  /** Physical line the record starts on (header = 1), counting blank lines and quoted newlines. */
  line: number;
  values: string[];
  /** Set when the record is malformed (a sentence); `values` then holds what could be read. */
  error?: string;
  errorCode?: RowErrorCode.MALFORMED_ROW | RowErrorCode.ROW_TOO_LARGE | RowErrorCode.TOO_LONG;
  /**
   * What a lenient read forgave in this record (docs/FORMATS.md §1): 1-based columns whose
   * leading blanks were trimmed, and columns holding a stray quote taken literally.
   */
  leniency?: CsvLeniency;
}

export interface CsvLeniency {
  trimmed: number[];
  strayQuotes: number[];
}
