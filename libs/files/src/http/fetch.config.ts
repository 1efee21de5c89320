import { IsBoolean, IsInt, IsString, Min, ValidateBy } from 'class-validator';

import { StorageConfig } from '../storage/storage.config';
import { FetchAllowList, LOOPBACK_ALLOW_LIST } from './fetch-allow-list';
import type { FetchPolicy } from './fetch-url';
import { parseResolveSpec, staticLookup } from './host.resolver';

/** A setting parsed by `parse`, whose Error message becomes the validation message. */
function ParsedBy(parse: (text: string) => unknown) {
  let message = '';
  return ValidateBy({
    name: 'parsedBy',
    validator: {
      validate: (value: unknown) => {
        try {
          parse(String(value));
          return true;
        } catch (err) {
          message = (err as Error).message;
          return false;
        }
      },
      defaultMessage: () => message,
    },
  });
}

/** Settings of the services that fetch or PUT a user's URL (importer, exporter): the SSRF guard. */
export class FetchConfig extends StorageConfig {
  /**
   * Hosts, addresses and CIDRs (optionally `:port`) fetched although not public, comma
   * separated: `files.internal,10.0.0.0/8,127.0.0.1:8080,[::1]:9000`.
   */
  @ParsedBy((t) => FetchAllowList.parse(t))
  FERRY_FETCH_ALLOW_LIST = '';

  /** Shorthand for `127.0.0.0/8,::1` in the allow-list (local set-ups and tests). Off by default. */
  @IsBoolean()
  FERRY_ALLOW_LOOPBACK_SOURCES = false;

  /** Allows http:// URLs besides https:// (presigned credentials then travel in clear). */
  @IsBoolean()
  FERRY_ALLOW_HTTP = false;

  /** Static answers before DNS, `name=address[|address…]` comma separated (like curl --resolve). */
  @IsString()
  @ParsedBy(parseResolveSpec)
  FERRY_FETCH_RESOLVE = '';

  @IsInt()
  @Min(100)
  FERRY_CONNECT_TIMEOUT_MS = 10_000;
}

/** The guard's policy from the settings. */
export function fetchPolicyFrom(config: FetchConfig): FetchPolicy {
  const listed = FetchAllowList.parse(config.FERRY_FETCH_ALLOW_LIST);
  return {
    allowList: config.FERRY_ALLOW_LOOPBACK_SOURCES ? LOOPBACK_ALLOW_LIST.with(listed) : listed,
    allowHttp: config.FERRY_ALLOW_HTTP,
    lookup: staticLookup(config.FERRY_FETCH_RESOLVE),
  };
}
