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
}

export interface HttpSource {
  stream: Readable;
  /** The body's declared length, when the server declared one. */
  contentLength: number | null;
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
      headers: opts.headers,
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
    if (status < 200 || status >= 300) {
      exchange.discard();
      throw httpStatusError(status, redacted);
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
    return { stream: exchange.body(maxBytes), contentLength: declared };
  }
}
