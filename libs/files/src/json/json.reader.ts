import { type Readable } from 'stream';

import { DEFAULT_CSV_LIMITS } from '../csv/csv-text.parser';
import { readTextChunks } from '../stream/text-chunks';
import { JsonElementScanner } from './json-element.scanner';
import { type JsonRecord } from './json-record';

export interface JsonReadOptions {
  signal?: AbortSignal;
  /** Longest element accepted (default 1 MiB of text); a longer one is a row error. */
  maxRecordChars?: number;
  /** Deepest nesting accepted in an element (default 32); a deeper one is a row error. */
  maxDepth?: number;
  /** Most keys in an element (default 1000); more is a row error. */
  maxColumns?: number;
  /** Longest value (default 64 KiB of text); a longer one is a row error. */
  maxCellBytes?: number;
}

const DEFAULT_MAX_DEPTH = 32;

/**
 * Streams the elements of a JSON file (a top-level array of objects, or newline-delimited
 * objects; decided by the first character), in batches as parsed. Never holds more than a chunk
 * and the element being read: `JSON.parse` only ever sees one element.
 */
export async function* readJsonBatches(
  stream: Readable,
  opts: JsonReadOptions = {},
): AsyncGenerator<JsonRecord[]> {
  const scanner = new JsonElementScanner({
    maxRecordChars: opts.maxRecordChars ?? DEFAULT_CSV_LIMITS.maxRowChars,
    maxDepth: opts.maxDepth ?? DEFAULT_MAX_DEPTH,
    maxColumns: opts.maxColumns ?? DEFAULT_CSV_LIMITS.maxColumns,
    maxCellChars: opts.maxCellBytes ?? DEFAULT_CSV_LIMITS.maxCellChars,
  });
  for await (const { text, last } of readTextChunks(stream, 'JSON', opts.signal)) {
    const records = scanner.push(text, last);
    if (records.length > 0) yield records;
  }
}

/** Streams JSON elements one at a time; see `readJsonBatches`. */
export async function* readJsonRecords(
  stream: Readable,
  opts: JsonReadOptions = {},
): AsyncGenerator<JsonRecord> {
  for await (const batch of readJsonBatches(stream, opts)) {
    for (const record of batch) yield record;
  }
}
