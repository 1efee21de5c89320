import { Agent as HttpAgent } from 'http';
import { Agent as HttpsAgent } from 'https';

import type { ExportConnection } from '@ferry/contracts';

import { checkFetchUrl, type FetchPolicy } from '../http/fetch-url';
import {
  bareHost,
  pinnedLookup,
  resolveAllowed,
  systemLookup,
  urlPort,
} from '../http/host.resolver';
import { redactUrl } from '../http/redact-url';
import { S3ObjectStorage } from './s3-object.storage';

/** The credentials a connection holds (opened from its sealed secrets). */
export interface S3Credentials {
  aws_access_key_id: string;
  aws_secret_access_key: string;
  aws_session_token?: string;
}

/**
 * The S3 storage of a registered connection (docs/API.md §4): its credentials, region and
 * addressing. A custom `endpoint_url` is a tenant's choice, so it passes the SSRF guard like any
 * URL Ferry fetches (docs/FORMATS.md §1): resolved once, every address checked, and every request
 * pinned to the checked address. AWS itself (no endpoint) is public by construction.
 */
export async function connectionS3Storage(
  c: ExportConnection,
  credentials: S3Credentials,
  policy: FetchPolicy,
): Promise<S3ObjectStorage> {
  let agents: { httpAgent: HttpAgent; httpsAgent: HttpsAgent } | undefined;
  if (c.endpoint_url) {
    const url = checkFetchUrl(c.endpoint_url, policy);
    const resolved = await resolveAllowed(
      bareHost(url),
      urlPort(url),
      policy.lookup ?? systemLookup,
      policy,
      redactUrl(c.endpoint_url),
    );
    const lookup = pinnedLookup(resolved);
    agents = { httpAgent: new HttpAgent({ lookup }), httpsAgent: new HttpsAgent({ lookup }) };
  }
  return new S3ObjectStorage({
    endpoint: c.endpoint_url ?? '',
    region: c.region,
    accessKeyId: credentials.aws_access_key_id,
    secretAccessKey: credentials.aws_secret_access_key,
    sessionToken: credentials.aws_session_token,
    forcePathStyle: c.use_path_style,
    agents,
  });
}
