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

export interface GuardedRequestInit {
  method: 'POST' | 'PUT';
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The receiver's answer, and the URL as it may be logged. */
export interface GuardedResponse {
  res: http.IncomingMessage;
  redacted: string;
}

/**
 * Sends a request with a body to a user's URL through the SSRF guard of file fetches
 * (docs/FORMATS.md §1): the host is resolved once, every address must be public unless allowed,
 * the socket connects to the checked address and is checked again once connected; no redirect is
 * followed. `send` writes the body; resolves with the response (any status), rejects with a
 * FerryError when no answer came. The one place webhooks (POST) and presigned PUTs go out.
 */
export async function guardedRequest(
  url: string,
  policy: FetchPolicy,
  init: GuardedRequestInit,
  send: (req: http.ClientRequest) => void,
): Promise<GuardedResponse> {
  const redacted = redactUrl(url);
  const target = checkFetchUrl(url, policy);
  const host = bareHost(target);
  const resolved = await resolveAllowed(
    host,
    urlPort(target),
    policy.lookup ?? systemLookup,
    policy,
    redacted,
  );
  const client = target.protocol === 'https:' ? https : http;
  return new Promise<GuardedResponse>((resolve, reject) => {
    const req = client.request(target, {
      method: init.method,
      agent: false,
      lookup: pinnedLookup(resolved),
      signal: init.signal,
      timeout: init.timeoutMs,
      headers: init.headers,
    });
    req.on('timeout', () => req.destroy(new Error('ETIMEDOUT')));
    req.on('socket', (socket) =>
      socket.once('connect', () => {
        const problem = connectedAddressProblem(
          socket.remoteAddress,
          resolved,
          policy,
          target,
          redacted,
        );
        if (problem) req.destroy(problem);
      }),
    );
    req.on('error', (err) => reject(networkError(err, redacted, host)));
    req.on('response', (res) => resolve({ res, redacted }));
    send(req);
  });
}
