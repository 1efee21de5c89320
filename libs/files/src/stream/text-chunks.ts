import { Readable } from 'stream';
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
  const notText = () =>
    FerryError.validation(`the file is not a ${kind} text file (it contains NUL bytes)`);
  let sniffed = 0;
  let first = true;
  let text = '';
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      let decoded: string;
      if (typeof chunk === 'string') {
        if (sniffed < SNIFF_BYTES && chunk.slice(0, SNIFF_BYTES - sniffed).includes('\0')) {
          throw notText();
        }
        decoded = chunk;
      } else {
        if (sniffed < SNIFF_BYTES && chunk.subarray(0, SNIFF_BYTES - sniffed).includes(0)) {
          throw notText();
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
