import { pipeline, type Readable } from 'stream';
import { createGunzip } from 'zlib';

import { FerryError } from '@ferry/contracts';

import { ByteLimitTransform } from '../stream/byte-limit.transform';
import { peekBytes } from '../stream/peek';

export interface DecompressOptions {
  /** Largest decompressed size accepted: a small gzip file can expand a thousandfold. */
  maxBytes: number;
}

/**
 * Looks at the first two bytes: gzip (1f 8b) is decompressed on the fly with a bound on the
 * decompressed size, anything else comes back unchanged (peeked bytes included).
 */
export async function decompressIfGzip(
  stream: Readable,
  opts: DecompressOptions,
): Promise<Readable> {
  return (await openMaybeGzip(stream, opts)).stream;
}

/** `decompressIfGzip`, telling whether the file was gzip (a gzip file cannot be read in parts). */
export async function openMaybeGzip(
  stream: Readable,
  opts: DecompressOptions,
): Promise<{ stream: Readable; gzip: boolean }> {
  const peeked = await peekBytes(stream, 2);
  const { head } = peeked;
  if (head.length < 2 || head[0] !== 0x1f || head[1] !== 0x8b) {
    return { stream: peeked.stream, gzip: false };
  }

  const gunzip = createGunzip();
  const limit = new ByteLimitTransform(opts.maxBytes, () =>
    FerryError.validation(
      `the decompressed file exceeds ${opts.maxBytes} bytes (FERRY_MAX_DECOMPRESSED_BYTES)`,
      {
        max_bytes: opts.maxBytes,
      },
    ),
  );
  // zlib's own errors ("incorrect header check", "unexpected end of file") mean a corrupt file;
  // errors of the source (a FerryError from the download) keep their own meaning.
  gunzip.on('error', (err: Error & { code?: string }) => {
    if (err instanceof FerryError || !err.code?.startsWith('Z_')) return;
    limit.destroy(
      FerryError.validation(`the file is not a valid gzip file: ${err.message}`, {
        cause: err.code,
      }),
    );
  });
  pipeline(peeked.stream, gunzip, limit, (err) => {
    if (err && !limit.destroyed) limit.destroy(err);
  });
  return { stream: limit, gzip: true };
}
