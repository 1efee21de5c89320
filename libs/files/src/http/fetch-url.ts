import { FerryError } from '@ferry/contracts';

import type { AddressPolicy } from './address.guard';
import type { HostLookup } from './host.resolver';
import { redactUrl } from './redact-url';

/** Everything the SSRF guard decides with, for a source (GET) or a destination (PUT). */
export interface FetchPolicy extends AddressPolicy {
  /** Allows http:// besides https:// (FERRY_ALLOW_HTTP; default false). */
  allowHttp?: boolean;
  /** Resolves host names; default `dns.lookup` (all addresses). Tests inject their own. */
  lookup?: HostLookup;
}

/**
 * Parses a URL to fetch (or the target of a redirect) and checks what can be checked before any
 * name is resolved: the scheme (https; http only when allowed) and that it carries no user name
 * or password (Ferry never sends credentials from a URL; a presigned URL signs its query string).
 */
export function checkFetchUrl(raw: string, policy: FetchPolicy, original = raw): URL {
  const via = raw === original ? '' : ` (redirected from ${redactUrl(original)})`;
  const redacted = redactUrl(raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw FerryError.validation(`file_url ${redacted}${via} is not a valid URL`, {
      url: redacted,
    });
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'https' && !(scheme === 'http' && policy.allowHttp)) {
    const allowed =
      scheme === 'http'
        ? 'only https can be fetched (an operator can allow http with FERRY_ALLOW_HTTP)'
        : `only https${policy.allowHttp ? ' and http' : ''} can be fetched`;
    throw FerryError.validation(
      `file_url ${redacted}${via} uses the scheme "${scheme}"; ${allowed}`,
      {
        url: redacted,
      },
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw FerryError.validation(
      `file_url ${redacted}${via} carries a user name or password, which Ferry refuses to send; use a presigned URL instead`,
      { url: redacted },
    );
  }
  return url;
}
