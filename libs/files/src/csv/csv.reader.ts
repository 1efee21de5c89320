import { Readable } from 'stream';
import { StringDecoder } from 'string_decoder';
import { FerryError } from '@ferry/contracts';
import { abortError } from '../stream/abort';
import { CsvRecord } from './csv-record';
import { CsvTextParser } from './csv-text.parser';

export interface CsvReadOptions {
  signal?: AbortSignal;
  /** Longest record accepted (default 1 MiB), counted in characters of the decoded text. */
  maxRowBytes?: number;
}

const DEFAULT_MAX_ROW = 1024 * 1024;
/** Text handed to the parser at once: fewer, larger parses when the source sends small chunks. */
const MIN_PARSE_CHARS = 64 * 1024;
/** A NUL byte this early means a binary file (or UTF-16), not UTF-8 CSV text. */
const SNIFF_BYTES = 1024;

function notText(): FerryError {
  return FerryError.validation('the file is not a CSV text file (it contains NUL bytes)');
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
  const { signal } = opts;
  const parser = new CsvTextParser(opts.maxRowBytes ?? DEFAULT_MAX_ROW);
  const decoder = new StringDecoder('utf8');
  const onAbort = (): void => {
    stream.destroy(abortError(signal));
  };
  if (signal?.aborted) throw abortError(signal);
  signal?.addEventListener('abort', onAbort, { once: true });
  let sniffed = 0;
  let first = true;
  let text = '';
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      let decoded: string;
      if (typeof chunk === 'string') {
        decoded = chunk;
        if (sniffed < SNIFF_BYTES && chunk.slice(0, SNIFF_BYTES - sniffed).includes('\0'))
          throw notText();
        sniffed += chunk.length;
      } else {
        if (sniffed < SNIFF_BYTES && chunk.subarray(0, SNIFF_BYTES - sniffed).includes(0))
          throw notText();
        sniffed += chunk.length;
        decoded = decoder.write(chunk);
      }
      if (first && decoded.length > 0) {
        first = false;
        if (decoded.charCodeAt(0) === 0xfeff) decoded = decoded.slice(1);
      }
      text += decoded;
      if (text.length < MIN_PARSE_CHARS) continue;
      const records = parser.push(text, false);
      text = '';
      if (records.length > 0) yield records;
    }
    let rest = text + decoder.end();
    if (first && rest.charCodeAt(0) === 0xfeff) rest = rest.slice(1);
    const records = parser.push(rest, true);
    if (records.length > 0) yield records;
  } catch (err) {
    throw signal?.aborted ? abortError(signal) : err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
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
