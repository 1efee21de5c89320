import { createReadStream } from 'fs';
import * as http from 'http';
import * as https from 'https';

import { checkFetchUrl, type FetchPolicy } from '../http/fetch-url';
import {
  bareHost,
  connectedAddressProblem,
  pinnedLookup,
  resolveAllowed,
  systemLookup,
  urlPort,
} from '../http/host.resolver';
import { httpStatusError, networkError } from '../http/http-errors.mapper';
import { redactUrl } from '../http/redact-url';

export interface HttpPutOptions extends FetchPolicy {
  contentType: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * PUTs a finished file to an `http(s)://` URL (a presigned URL) through the same SSRF guard as a
 * source: the host is resolved once, every address must be public unless allowed, and the socket
 * connects to the checked address. The file is sent from disk with its Content-Length, because a
 * presigned S3 PUT refuses a chunked body; no redirects are followed (a PUT is not replayed).
 */
export async function putFileToUrl(
  url: string,
  filePath: string,
  size: number,
  opts: HttpPutOptions,
): Promise<void> {
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
  await new Promise<void>((resolve, reject) => {
    const req = client.request(target, {
      method: 'PUT',
      agent: false,
      lookup: pinnedLookup(resolved),
      signal: opts.signal,
      timeout: opts.timeoutMs ?? 60_000,
      headers: {
        'content-type': opts.contentType,
        'content-length': String(size),
        'user-agent': 'ferry-exporter',
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
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) resolve();
      else reject(httpStatusError(status, redacted));
    });
    const file = createReadStream(filePath);
    file.on('error', (err) => req.destroy(err));
    file.pipe(req);
  });
}
