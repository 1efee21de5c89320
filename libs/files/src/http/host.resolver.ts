import { promises as dns } from 'dns';
import { isIP, LookupFunction } from 'net';
import { FerryError } from '@ferry/contracts';
import { AddressPolicy, refusedAddressClass } from './address.guard';

export interface ResolvedAddress {
  address: string;
  /** 4 or 6. */
  family: number;
}

/** Resolves a host name to its addresses (injectable so tests never touch real DNS). */
export type HostLookup = (hostname: string) => Promise<ReadonlyArray<ResolvedAddress>>;

export const systemLookup: HostLookup = (hostname) =>
  dns.lookup(hostname, { all: true, verbatim: true });

/** `[::1]` → `::1`: URL keeps the brackets of an IPv6 literal, sockets want it bare. */
export function bareHost(url: URL): string {
  const h = url.hostname;
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/**
 * Resolves `host` once and checks every address it resolved to: the request then connects to the
 * checked address only (see `pinnedLookup`), so a second DNS answer cannot point it elsewhere.
 */
export async function resolveAllowed(
  host: string,
  lookup: HostLookup,
  policy: AddressPolicy,
  redacted: string,
): Promise<ResolvedAddress> {
  const literal = isIP(host);
  const addresses = literal ? [{ address: host, family: literal }] : await lookup(host);
  if (addresses.length === 0) {
    throw FerryError.validation(`the host ${host} of file_url ${redacted} has no address`, {
      url: redacted,
    });
  }
  for (const { address } of addresses) {
    const refused = refusedAddressClass(address, policy);
    if (refused) {
      const where = literal ? address : `${host} (${address})`;
      throw FerryError.validation(
        `file_url ${redacted} points to ${where}, a ${refused} address, which Ferry does not fetch from`,
        { url: redacted, address, address_class: refused },
      );
    }
  }
  return addresses[0];
}

/** A `lookup` for http.request that always answers with the address already checked. */
export function pinnedLookup(resolved: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    // Node 20 asks for all addresses when it races IPv4 and IPv6 (autoSelectFamily).
    if (options.all) callback(null, [resolved]);
    else callback(null, resolved.address, resolved.family);
  };
}
