import { createReadStream } from 'fs';

import { type FetchPolicy } from '../http/fetch-url';
import { guardedRequest } from '../http/guarded-request';
import { httpStatusError } from '../http/http-errors.mapper';

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
  const headers = {
    'content-type': opts.contentType,
    'content-length': String(size),
    'user-agent': 'ferry-exporter',
  };
  const init = { method: 'PUT' as const, headers, timeoutMs: opts.timeoutMs ?? 60_000 };
  const { res, redacted } = await guardedRequest(
    url,
    opts,
    { ...init, signal: opts.signal },
    (req) => {
      const file = createReadStream(filePath);
      file.on('error', (err) => req.destroy(err));
      file.pipe(req);
    },
  );
  res.resume();
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) throw httpStatusError(status, redacted);
}
