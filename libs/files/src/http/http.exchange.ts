import * as http from 'http';
import * as https from 'https';
import { type Readable } from 'stream';

import { FerryError } from '@ferry/contracts';

import { abortError } from '../stream/abort';
import { ByteLimitTransform } from '../stream/byte-limit.transform';
import type { AddressPolicy } from './address.guard';
import {
  bareHost,
  connectedAddressProblem,
  pinnedLookup,
  type ResolvedAddress,
} from './host.resolver';
import { networkError } from './http-errors.mapper';
import { redactUrl } from './redact-url';
import { type MinTransferRate, watchTransferRate } from './transfer-rate.watch';

export interface ExchangeOptions {
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  /** When the whole download must be over (epoch ms, across redirects and body) and the limit. */
  deadline?: { at: number; totalMs: number };
  /** Checked again against the address the socket really connected to. */
  policy: AddressPolicy;
  signal?: AbortSignal;
  headers?: Readonly<Record<string, string>>;
  /** The slowest the body may arrive, over a window (default: no floor). */
  minTransferRate?: MinTransferRate;
}

/** One GET whose response head has arrived. */
export interface HttpExchange {
  res: http.IncomingMessage;
  /** Drops the response without reading its body. */
  discard(): void;
  /** The body; fails with a FerryError on idle timeout, reset, abort, or past `maxBytes`. */
  body(maxBytes: number): Readable;
}

/**
 * Sends one GET to `resolved` (the already-checked address) and resolves once the response head
 * arrives. Every later failure of the connection is turned into one FerryError on the body.
 */
export function sendRequest(
  url: URL,
  resolved: ResolvedAddress,
  opts: ExchangeOptions,
): Promise<HttpExchange> {
  const redacted = redactUrl(url.href);
  const host = bareHost(url);
  return new Promise<HttpExchange>((resolve, reject) => {
    let failure: Error | null = null;
    let out: Readable | null = null;
    let responded = false;

    const client = url.protocol === 'https:' ? https : http;
    // No agent: one fresh socket per file, connected to the pinned address, never reused.
    const req = client.request(url, {
      method: 'GET',
      agent: false,
      lookup: pinnedLookup(resolved),
      headers: { 'user-agent': 'ferry-importer', accept: '*/*', ...opts.headers },
    });

    const fail = (err: Error): void => {
      failure ??= err;
      req.destroy(failure);
      out?.destroy(failure);
    };
    const connectTimer = setTimeout(() => {
      fail(
        FerryError.transient(
          `could not connect to ${host} within ${opts.connectTimeoutMs} ms to read file_url ${redacted} (FERRY_CONNECT_TIMEOUT_MS)`,
          { url: redacted },
        ),
      );
    }, opts.connectTimeoutMs);
    // Not retryable: a source too slow for the limit is as slow the next time.
    const totalTimer =
      opts.deadline === undefined
        ? undefined
        : setTimeout(
            () =>
              fail(
                FerryError.validation(
                  `file_url ${redacted} took longer than the ${opts.deadline?.totalMs} ms allowed for a whole download (FERRY_DOWNLOAD_TIMEOUT_MS)`,
                  { url: redacted },
                ),
              ),
            Math.max(0, opts.deadline.at - Date.now()),
          );
    const onAbort = (): void => fail(abortError(opts.signal));
    const cleanup = (): void => {
      clearTimeout(connectTimer);
      clearTimeout(totalTimer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    req.on('socket', (socket) =>
      socket.once('connect', () => {
        clearTimeout(connectTimer);
        const problem = connectedAddressProblem(
          socket.remoteAddress,
          resolved,
          opts.policy,
          url,
          redacted,
        );
        if (problem) fail(problem);
      }),
    );
    let response: http.IncomingMessage | null = null;
    req.setTimeout(opts.idleTimeoutMs, () => {
      // A socket is also idle when the reader is the slow side (backpressure paused the body):
      // that is not the server's fault, so wait another period.
      if (response?.isPaused()) {
        req.setTimeout(opts.idleTimeoutMs);
        return;
      }
      fail(
        FerryError.transient(
          `file_url ${redacted} sent no data for ${opts.idleTimeoutMs} ms (FERRY_IDLE_TIMEOUT_MS)`,
          { url: redacted },
        ),
      );
    });
    req.on('error', (err) => {
      const mapped = failure ?? networkError(err, redacted, host);
      if (!responded) {
        cleanup();
        reject(mapped);
      } else {
        out?.destroy(mapped);
      }
    });
    req.on('response', (res) => {
      responded = true;
      response = res;
      clearTimeout(connectTimer);
      res.on('error', (err) => {
        failure ??= networkError(err, redacted, host);
        out?.destroy(failure);
      });
      resolve({
        res,
        discard: () => {
          cleanup();
          res.destroy();
          req.destroy();
        },
        body: (maxBytes) => {
          const limit = new ByteLimitTransform(maxBytes, () =>
            FerryError.validation(
              `file_url ${redacted} is larger than the limit of ${maxBytes} bytes (FERRY_MAX_FILE_BYTES)`,
              { url: redacted, max_bytes: maxBytes },
            ),
          );
          out = limit;
          limit.on('close', () => {
            cleanup();
            if (!res.complete) req.destroy();
          });
          if (failure) limit.destroy(failure);
          else {
            res.pipe(limit);
            const rate = opts.minTransferRate;
            if (rate) {
              // Retryable: a congested link may be faster on the next delivery; the deliveries
              // running out end the task FAILED with this sentence (docs/API.md §3).
              const stopWatch = watchTransferRate(res, rate, (got) =>
                fail(
                  FerryError.transient(
                    `file_url ${redacted} sent ${got} bytes in ${rate.windowMs} ms, slower than the minimum of ${rate.bytesPerSecond} bytes/s over ${rate.windowMs} ms (FERRY_MIN_TRANSFER_BYTES_PER_S, FERRY_MIN_TRANSFER_WINDOW_MS)`,
                    { url: redacted },
                  ),
                ),
              );
              limit.once('close', stopWatch);
            }
          }
          return limit;
        },
      });
    });
    if (opts.signal?.aborted) onAbort();
    req.end();
  });
}
