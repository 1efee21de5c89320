import { createReadStream } from 'fs';
import * as http from 'http';
import * as https from 'https';
import { FerryError } from '@ferry/contracts';
import type { AddressPolicy } from '../http/address.guard';
import {
  bareHost,
  HostLookup,
  pinnedLookup,
  resolveAllowed,
  systemLookup,
} from '../http/host.resolver';
import { httpStatusError, networkError } from '../http/http-errors.mapper';
import { redactUrl } from '../http/redact-url';

export interface HttpPutOptions extends AddressPolicy {
  contentType: string;
  lookup?: HostLookup;
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
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw FerryError.validation(`file_url ${redacted} is not a valid URL`);
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    throw FerryError.validation(`file_url ${redacted} is not an http(s) URL`);
  }
  const host = bareHost(target);
  const resolved = await resolveAllowed(host, opts.lookup ?? systemLookup, opts, redacted);
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
