import { type FetchPolicy } from './fetch-url';
import { guardedRequest } from './guarded-request';

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
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'user-agent': 'ferry-webhooks',
    ...opts.headers,
  };
  const { res } = await guardedRequest(
    url,
    opts,
    { method: 'POST', headers, timeoutMs: opts.timeoutMs },
    (req) => req.end(body),
  );
  const status = res.statusCode ?? 0;
  return new Promise<HttpPostAnswer>((resolve) => {
    res.resume();
    res.on('end', () => resolve({ status }));
    res.on('error', () => resolve({ status }));
  });
}
