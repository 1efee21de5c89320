import * as http from 'http';
import * as https from 'https';

import { checkFetchUrl, type FetchPolicy } from './fetch-url';
import {
  bareHost,
  connectedAddressProblem,
  pinnedLookup,
  resolveAllowed,
  systemLookup,
  urlPort,
} from './host.resolver';
import { networkError } from './http-errors.mapper';
import { redactUrl } from './redact-url';

export interface HttpPostOptions extends FetchPolicy {
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
}

/** What the receiver answered: its status (the body is read and dropped, at most 64 KB kept). */
export interface HttpPostAnswer {
  status: number;
}

/**
 * POSTs a small body (a webhook's JSON) to a user's URL through the SSRF guard of file fetches
 * (docs/FORMATS.md §1): the host is resolved once, every address must be public unless allowed,
 * the socket connects to the checked address and is checked again once connected; no redirect is
 * followed. Resolves with any HTTP status; rejects (a FerryError) when no answer came.
 */
export async function postToUrl(
  url: string,
  body: string,
  opts: HttpPostOptions,
): Promise<HttpPostAnswer> {
  const redacted = redactUrl(url);
  const target = checkFetchUrl(url, opts);
  const host = bareHost(target);
  const resolved = await resolveAllowed(
    host,
    urlPort(target),
    opts.lookup ?? systemLookup,
    opts,
    redacted,
  );
  const client = target.protocol === 'https:' ? https : http;
  return new Promise<HttpPostAnswer>((resolve, reject) => {
    const req = client.request(target, {
      method: 'POST',
      agent: false,
      lookup: pinnedLookup(resolved),
      timeout: opts.timeoutMs,
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'ferry-webhooks',
        ...opts.headers,
      },
    });
    req.on('timeout', () => req.destroy(new Error('ETIMEDOUT')));
    req.on('socket', (socket) =>
      socket.once('connect', () => {
        const problem = connectedAddressProblem(
          socket.remoteAddress,
          resolved,
          opts,
          target,
          redacted,
        );
        if (problem) req.destroy(problem);
      }),
    );
    req.on('error', (err) => reject(networkError(err, redacted, host)));
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.end(body);
  });
}
