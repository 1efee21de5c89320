import { type Readable } from 'stream';

import { FerryError } from '@ferry/contracts';

import { abortError } from '../stream/abort';
import { checkFetchUrl, type FetchPolicy } from './fetch-url';
import {
  bareHost,
  resolveAllowed,
  type ResolvedAddress,
  systemLookup,
  urlPort,
} from './host.resolver';
import { sendRequest } from './http.exchange';
import { httpStatusError, networkError } from './http-errors.mapper';
import { redactUrl } from './redact-url';
import type { MinTransferRate } from './transfer-rate.watch';

export interface HttpSourceOptions extends FetchPolicy {
  /** Time allowed for the TCP connection (default 10 s). */
  connectTimeoutMs?: number;
  /** Time the server may stay silent, before the response head or within the body (default 30 s). */
  idleTimeoutMs?: number;
  /** Time the whole download may take, redirects and body included (default: no limit). */
  totalTimeoutMs?: number;
  /** Largest body accepted, checked on Content-Length and while streaming (default: no limit). */
  maxBytes?: number;
  /** Redirects followed before giving up (default 5). */
  maxRedirects?: number;
  signal?: AbortSignal;
  headers?: Readonly<Record<string, string>>;
  /** The slowest the body may arrive, as curl's --speed-limit/--speed-time (default: no floor). */
  minTransferRate?: MinTransferRate;
  /**
   * Read only bytes [start, end) of the file (a part of a split import): the server must answer
   * 206 with that range, and, given the `validator` the whole file had, the same file.
   */
  range?: ByteRange;
}

export interface ByteRange {
  start: number;
  end: number;
  /** ETag (or Last-Modified) of the file when it was split: sent as If-Range. */
  validator?: string | null;
}

export interface HttpSource {
  stream: Readable;
  /** The body's declared length, when the server declared one. */
  contentLength: number | null;
  /** The server declared `Accept-Ranges: bytes` (a part of the file can be asked for). */
  acceptsRanges: boolean;
  /** The file's strong ETag, else its Last-Modified, else null: names this version of it. */
  validator: string | null;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function contentLengthOf(header: string | undefined): number | null {
  if (header === undefined || !/^\d+$/.test(header)) return null;
  return Number(header);
}

/**
 * Opens `url` for streaming with an SSRF guard: each hop's host is resolved once, every address
 * it resolves to must be public (unless allowed), and the socket connects to that checked address.
 */
export async function openHttpSource(
  url: string,
  opts: HttpSourceOptions = {},
): Promise<HttpSource> {
  const maxRedirects = opts.maxRedirects ?? 5;
  const maxBytes = opts.maxBytes ?? Number.POSITIVE_INFINITY;
  const lookup = opts.lookup ?? systemLookup;
  const deadline =
    opts.totalTimeoutMs === undefined
      ? undefined
      : { at: Date.now() + opts.totalTimeoutMs, totalMs: opts.totalTimeoutMs };
  let current = checkFetchUrl(url, opts);
  for (let redirects = 0; ; redirects++) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    const redacted = redactUrl(current.href);
    const host = bareHost(current);
    let resolved: ResolvedAddress;
    try {
      resolved = await resolveAllowed(host, urlPort(current), lookup, opts, redacted);
    } catch (err) {
      throw networkError(err, redacted, host);
    }
    if (opts.signal?.aborted) throw abortError(opts.signal);

    const exchange = await sendRequest(current, resolved, {
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      idleTimeoutMs: opts.idleTimeoutMs ?? 30_000,
      deadline,
      policy: opts,
      signal: opts.signal,
      headers: opts.range ? { ...opts.headers, ...rangeHeaders(opts.range) } : opts.headers,
      minTransferRate: opts.minTransferRate,
    });
    const status = exchange.res.statusCode ?? 0;
    if (REDIRECT_STATUSES.has(status)) {
      const location = exchange.res.headers.location;
      exchange.discard();
      if (!location) {
        throw FerryError.validation(
          `file_url ${redacted} returned HTTP ${status} without a Location to follow`,
          { url: redacted },
        );
      }
      if (redirects >= maxRedirects) {
        throw FerryError.validation(
          `file_url ${redactUrl(url)} redirected more than ${maxRedirects} times`,
          { url: redactUrl(url) },
        );
      }
      let next: string;
      try {
        next = new URL(location, current).href;
      } catch {
        throw FerryError.validation(`file_url ${redacted} redirected to an invalid URL`, {
          url: redacted,
        });
      }
      current = checkFetchUrl(next, opts, url);
      continue;
    }
    if (opts.range && status !== 206) {
      exchange.discard();
      throw rangeRefused(status, redacted);
    }
    if (status < 200 || status >= 300) {
      exchange.discard();
      throw httpStatusError(status, redacted);
    }
    const headers = exchange.res.headers;
    if (opts.range && !rangeMatches(headers['content-range'], opts.range)) {
      exchange.discard();
      throw FerryError.validation(
        `file_url ${redacted} answered a request for bytes ${opts.range.start}-${opts.range.end - 1} with ${headers['content-range'] ?? 'no Content-Range'}`,
        { url: redacted },
      );
    }
    const declared = exchange.res.headers['content-encoding']
      ? null
      : contentLengthOf(exchange.res.headers['content-length']);
    if (declared !== null && declared > maxBytes) {
      exchange.discard();
      throw FerryError.validation(
        `file_url ${redacted} is ${declared} bytes, more than the limit of ${maxBytes} bytes (FERRY_MAX_FILE_BYTES)`,
        {
          url: redacted,
          max_bytes: maxBytes,
        },
      );
    }
    return {
      stream: exchange.body(maxBytes),
      contentLength: declared,
      acceptsRanges: headers['accept-ranges'] === 'bytes' && !headers['content-encoding'],
      validator: validatorOf(headers),
    };
  }
}

function rangeHeaders(r: ByteRange): Record<string, string> {
  const h: Record<string, string> = { range: `bytes=${r.start}-${r.end - 1}` };
  if (r.validator) h['if-range'] = r.validator;
  return h;
}

/** A strong ETag, else Last-Modified: what If-Range may name (RFC 9110 §13.1.5). */
function validatorOf(h: Record<string, string | string[] | undefined>): string | null {
  const etag = h['etag'];
  if (typeof etag === 'string' && etag.startsWith('"')) return etag;
  const modified = h['last-modified'];
  return typeof modified === 'string' ? modified : null;
}

function rangeMatches(header: string | undefined, r: ByteRange): boolean {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header ?? '');
  return m !== null && Number(m[1]) === r.start && Number(m[2]) === r.end - 1;
}

/** A part's range not served: the file changed since it was split, or ranges stopped working. */
function rangeRefused(status: number, redacted: string): FerryError {
  if (status >= 500) return httpStatusError(status, redacted);
  const why =
    status === 200
      ? 'it sent the whole file instead of the part asked for: the file changed since Ferry split it, or the server stopped serving ranges'
      : `HTTP ${status} to a range request`;
  return FerryError.validation(
    `file_url ${redacted} could not be read in parts (${why}); import the file again as a new task`,
    { url: redacted },
  );
}
