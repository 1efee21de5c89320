import { Readable } from 'stream';
import { StringDecoder } from 'string_decoder';
import { FerryError } from '@ferry/contracts';
import { abortError } from '../stream/abort';
import { JsonElementScanner } from './json-element.scanner';
import { JsonRecord } from './json-record';

export interface JsonReadOptions {
  signal?: AbortSignal;
  /** Longest element accepted (default 1 MiB of text); a longer one is a row error. */
  maxRecordChars?: number;
  /** Deepest nesting accepted in an element (default 32); a deeper one is a row error. */
  maxDepth?: number;
}

const DEFAULT_MAX_RECORD = 1024 * 1024;
const DEFAULT_MAX_DEPTH = 32;
const MIN_SCAN_CHARS = 64 * 1024;
const SNIFF_BYTES = 1024;

/**
 * Streams the elements of a JSON file (a top-level array of objects, or newline-delimited
 * objects; decided by the first character), in batches as parsed. Never holds more than a chunk
 * and the element being read: `JSON.parse` only ever sees one element.
 */
export async function* readJsonBatches(
  stream: Readable,
  opts: JsonReadOptions = {},
): AsyncGenerator<JsonRecord[]> {
  const { signal } = opts;
  const scanner = new JsonElementScanner({
    maxRecordChars: opts.maxRecordChars ?? DEFAULT_MAX_RECORD,
    maxDepth: opts.maxDepth ?? DEFAULT_MAX_DEPTH,
  });
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
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (sniffed < SNIFF_BYTES && buf.subarray(0, SNIFF_BYTES - sniffed).includes(0)) {
        throw FerryError.validation('the file is not a JSON text file (it contains NUL bytes)');
      }
      sniffed += buf.length;
      let decoded = decoder.write(buf);
      if (first && decoded.length > 0) {
        first = false;
        if (decoded.charCodeAt(0) === 0xfeff) decoded = decoded.slice(1);
      }
      text += decoded;
      if (text.length < MIN_SCAN_CHARS) continue;
      const records = scanner.push(text, false);
      text = '';
      if (records.length > 0) yield records;
    }
    let rest = text + decoder.end();
    if (first && rest.charCodeAt(0) === 0xfeff) rest = rest.slice(1);
    const records = scanner.push(rest, true);
    if (records.length > 0) yield records;
  } catch (err) {
    throw signal?.aborted ? abortError(signal) : err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
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
