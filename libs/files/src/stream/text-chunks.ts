import { type Readable } from 'stream';
import { StringDecoder } from 'string_decoder';

import { FerryError } from '@ferry/contracts';

import { abortError } from './abort';

/** A NUL byte this early means a binary file (or UTF-16), not UTF-8 text. */
const SNIFF_BYTES = 1024;
/** Text handed to a parser at once: fewer, larger parses when the source sends small chunks. */
const MIN_CHUNK_CHARS = 64 * 1024;

export interface TextChunk {
  text: string;
  /** True for the last chunk (possibly empty): the parser may finish its last record. */
  last: boolean;
}

/**
 * Decodes a byte stream as UTF-8 text in chunks of at least 64 K characters: a leading BOM
 * removed, multi-byte characters never split, a binary file (NUL bytes in its first KB) refused
 * with a sentence naming `kind` (CSV, JSON), and the source destroyed when `signal` aborts. Reads
 * only as fast as the chunks are consumed.
 */
export async function* readTextChunks(
  stream: Readable,
  kind: string,
  signal?: AbortSignal,
): AsyncGenerator<TextChunk> {
  const decoder = new StringDecoder('utf8');
  const onAbort = (): void => {
    stream.destroy(abortError(signal));
  };
  if (signal?.aborted) throw abortError(signal);
  signal?.addEventListener('abort', onAbort, { once: true });
  const notText = (head: Buffer | string) =>
    isUtf16(head)
      ? FerryError.validation(
          `the file is UTF-16 text; a ${kind} import reads UTF-8 (save the file as UTF-8)`,
        )
      : FerryError.validation(`the file is not a ${kind} text file (it contains NUL bytes)`);
  let sniffed = 0;
  let first = true;
  let text = '';
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      let decoded: string;
      if (typeof chunk === 'string') {
        if (sniffed < SNIFF_BYTES && chunk.slice(0, SNIFF_BYTES - sniffed).includes('\0')) {
          throw notText(chunk);
        }
        decoded = chunk;
      } else {
        if (sniffed < SNIFF_BYTES && chunk.subarray(0, SNIFF_BYTES - sniffed).includes(0)) {
          throw notText(sniffed === 0 ? chunk : '');
        }
        decoded = decoder.write(chunk);
      }
      sniffed += chunk.length;
      if (first && decoded.length > 0) {
        first = false;
        if (decoded.charCodeAt(0) === 0xfeff) decoded = decoded.slice(1);
      }
      text += decoded;
      if (text.length < MIN_CHUNK_CHARS) continue;
      yield { text, last: false };
      text = '';
    }
    let rest = text + decoder.end();
    if (first && rest.charCodeAt(0) === 0xfeff) rest = rest.slice(1);
    yield { text: rest, last: true };
  } catch (err) {
    throw signal?.aborted ? abortError(signal) : err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** A UTF-16 byte order mark (FF FE or FE FF) at the start of the file. */
function isUtf16(head: Buffer | string): boolean {
  if (typeof head === 'string') return false;
  return (
    head.length >= 2 &&
    ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))
  );
}

/** The character a byte sequence that is not UTF-8 decodes to. */
export const REPLACEMENT_CHAR = '\ufffd';

/** The row error of a record with bytes that are not UTF-8. */
export const NOT_UTF8 =
  'the row is not valid UTF-8 text (a byte sequence could not be decoded; save the file as UTF-8)';

/** The row error of a record holding a NUL character (text in PostgreSQL cannot). */
export const HAS_NUL = 'the row contains a NUL character, which Ferry cannot store';
