import { PassThrough, type Readable } from 'stream';

import { FerryError } from '@ferry/contracts';
import {
  type ByteRange,
  decompressIfGzip,
  type FetchPolicy,
  type MinTransferRate,
  type ObjectStorages,
  openHttpSource,
  openMaybeGzip,
  redactUrl,
} from '@ferry/files';

/** How an import reads its file: the SSRF guard's policy and the file-level limits. */
export interface SourceSettings {
  /** Who may be fetched (allow-list, http or not, the resolver). */
  fetch?: FetchPolicy;
  /** Shorthand for 127.0.0.0/8 and ::1 in the allow-list (FERRY_ALLOW_LOOPBACK_SOURCES). */
  allowLoopbackSources: boolean;
  maxFileBytes: number;
  /** Largest decompressed size of a gzip file (default 20 × maxFileBytes). */
  maxDecompressedBytes?: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  /** Time a whole download may take (default: no limit). */
  downloadTimeoutMs?: number;
  /** The slowest an http(s) source may send, over a window (default: no floor). */
  minTransferRate?: MinTransferRate;
}

/**
 * Opens an import's `file_url` (http(s) through the SSRF guard, store://, s3://), gunzipped if
 * gzip. The stream keeps a failure (a connection reset before anyone reads) until it is read:
 * with no 'error' listener yet, Node would otherwise throw it and end the process.
 */
export async function openImportSource(
  url: string,
  environmentId: string,
  signal: AbortSignal,
  s: SourceSettings,
  storages?: ObjectStorages,
): Promise<ImportSource> {
  const source = await openStream(url, environmentId, signal, s, storages);
  // The reader sees the error anyway: a destroyed stream's iterator throws `stream.errored`.
  source.stream.on('error', () => undefined);
  return source;
}

/** An import's open file, and its size when the source declared it (http Content-Length). */
export interface ImportSource {
  stream: Readable;
  declaredBytes: number | null;
  /**
   * Set when the file could be read in byte ranges (an http(s) source declaring its length and
   * `Accept-Ranges: bytes`, not gzip): its validator (ETag or Last-Modified), for If-Range.
   */
  ranged: { validator: string | null } | null;
}

async function openStream(
  url: string,
  environmentId: string,
  signal: AbortSignal,
  s: SourceSettings,
  storages?: ObjectStorages,
): Promise<ImportSource> {
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  const gunzip = { maxBytes: s.maxDecompressedBytes ?? s.maxFileBytes * 20 };
  if ((scheme === 'store' || scheme === 's3') && storages) {
    const stream = await decompressIfGzip(await storages.open(url, environmentId), gunzip);
    return { stream, declaredBytes: null, ranged: null };
  }
  if (scheme !== 'http' && scheme !== 'https') {
    throw FerryError.validation(
      `${scheme}:// sources are not available in this version of Ferry (${redactUrl(url)})`,
    );
  }
  const http = await openHttpSource(url, httpOptions(s, signal));
  const opened = await openMaybeGzip(http.stream, gunzip);
  const ranged =
    http.acceptsRanges && http.contentLength !== null && !opened.gzip
      ? { validator: http.validator }
      : null;
  return { stream: opened.stream, declaredBytes: http.contentLength, ranged };
}

function httpOptions(s: SourceSettings, signal: AbortSignal) {
  return {
    allowLoopback: s.allowLoopbackSources,
    ...s.fetch,
    maxBytes: s.maxFileBytes,
    connectTimeoutMs: s.connectTimeoutMs,
    idleTimeoutMs: s.idleTimeoutMs,
    totalTimeoutMs: s.downloadTimeoutMs,
    minTransferRate: s.minTransferRate,
    signal,
  };
}

/**
 * One part of a split import (docs/DECISIONS.md 128): the file's header bytes, then its bytes
 * [range.start, range.end) from the source, as one stream that reads as a CSV of its own.
 */
export async function openImportPart(
  url: string,
  header: Buffer,
  range: ByteRange,
  signal: AbortSignal,
  s: SourceSettings,
): Promise<Readable> {
  const http = await openHttpSource(url, { ...httpOptions(s, signal), range });
  const body = http.stream;
  const out = new PassThrough();
  out.write(header);
  body.on('error', (err) => out.destroy(err));
  out.on('close', () => body.destroy());
  body.pipe(out);
  out.on('error', () => undefined);
  return out;
}
