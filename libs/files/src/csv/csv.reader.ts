import { type Readable } from 'stream';

import { readTextChunks } from '../stream/text-chunks';
import { type CsvRecord } from './csv-record';
import { CsvTextParser } from './csv-text.parser';

export interface CsvReadOptions {
  signal?: AbortSignal;
  /** Longest record accepted (default 1 MiB), counted in characters of the decoded text. */
  maxRowBytes?: number;
  /** Most columns in a row (default 1000). */
  maxColumns?: number;
  /** Longest value (default 64 KiB of text). */
  maxCellBytes?: number;
  /**
   * Read as Flexprice does (Go's encoding/csv with LazyQuotes and TrimLeadingSpace): stray quotes
   * are characters and leading blanks are trimmed, each noted in `CsvRecord.leniency`. Default
   * false: a stray quote is a row error and cells are kept as written.
   */
  lenient?: boolean;
}

/**
 * Streams CSV records in the batches they were parsed in (one per ~64 KB of text): the cheap way
 * for a pipeline that batches anyway. The first record is the header. Reads the source only as
 * fast as the batches are consumed, and keeps at most one chunk plus one unfinished row in memory.
 */
export async function* readCsvBatches(
  stream: Readable,
  opts: CsvReadOptions = {},
): AsyncGenerator<CsvRecord[]> {
  const parser = new CsvTextParser(
    {
      ...(opts.maxRowBytes !== undefined && { maxRowChars: opts.maxRowBytes }),
      ...(opts.maxColumns !== undefined && { maxColumns: opts.maxColumns }),
      ...(opts.maxCellBytes !== undefined && { maxCellChars: opts.maxCellBytes }),
    },
    { lenient: opts.lenient ?? false },
  );
  for await (const { text, last } of readTextChunks(stream, 'CSV', opts.signal)) {
    const records = parser.push(text, last);
    if (records.length > 0) yield records;
  }
}

/** Streams CSV records one at a time (header first); see `readCsvBatches`. */
export async function* readCsvRecords(
  stream: Readable,
  opts: CsvReadOptions = {},
): AsyncGenerator<CsvRecord> {
  for await (const batch of readCsvBatches(stream, opts)) {
    for (const record of batch) yield record;
  }
}
