import { promises as dns } from 'dns';
import { isIP, type LookupFunction } from 'net';

import { FerryError } from '@ferry/contracts';

import {
  type AddressClass,
  type AddressPolicy,
  refusedAddressClass,
  unmapAddress,
} from './address.guard';

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
  port: number,
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
    const refused = refusedAddressClass(address, policy, host, port);
    if (refused) throw refusedError(redacted, literal ? address : `${host} (${address})`, refused);
  }
  return addresses[0];
}

/** The sentence for an address the guard refuses (also used for the connected address). */
export function refusedError(redacted: string, where: string, cls: AddressClass): FerryError {
  const hint =
    cls === 'metadata' || cls === 'unspecified'
      ? ''
      : ' (an operator can allow it with FERRY_FETCH_ALLOW_LIST)';
  return FerryError.validation(
    `file_url ${redacted} points to ${where}, a ${cls} address, which Ferry does not fetch from${hint}`,
    { url: redacted, address_class: cls },
  );
}

/**
 * The check of the address a socket really connected to: it must be the one resolved and
 * checked (nothing in between — a proxy, another lookup — may have taken the socket elsewhere),
 * and still pass the policy. Null when fine.
 */
export function connectedAddressProblem(
  remoteAddress: string | undefined,
  resolved: ResolvedAddress,
  policy: AddressPolicy,
  url: URL,
  redacted: string,
): FerryError | null {
  const host = bareHost(url);
  const remote = unmapAddress(remoteAddress ?? '');
  const refused =
    remote !== unmapAddress(resolved.address)
      ? 'reserved'
      : refusedAddressClass(remote, policy, host, urlPort(url));
  return refused ? refusedError(redacted, `${host} (connected to ${remote})`, refused) : null;
}

/** The port a URL connects to (its own, or the scheme's default). */
export function urlPort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/**
 * Static answers consulted before DNS (`FERRY_FETCH_RESOLVE`, like curl's --resolve):
 * "name=address|address,name2=address". Lets tests give a name any address without a packet
 * leaving the host; names not listed go to `fallback`.
 */
export function staticLookup(spec: string, fallback: HostLookup = systemLookup): HostLookup {
  const table = parseResolveSpec(spec);
  if (table.size === 0) return fallback;
  return async (hostname) => table.get(hostname.toLowerCase()) ?? fallback(hostname);
}

/** Parses FERRY_FETCH_RESOLVE; throws an Error naming the first bad entry. */
export function parseResolveSpec(spec: string): Map<string, ResolvedAddress[]> {
  const table = new Map<string, ResolvedAddress[]>();
  for (const entry of spec.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const [name, list] = entry.split('=');
    const addresses = (list ?? '').split('|').map((a) => a.trim());
    if (!name || addresses.some((a) => isIP(a) === 0)) {
      throw new Error(`the entry "${entry}" is not name=address[|address…]`);
    }
    table.set(
      name.trim().toLowerCase(),
      addresses.map((address) => ({ address, family: isIP(address) })),
    );
  }
  return table;
}

/** A `lookup` for http.request that always answers with the address already checked. */
export function pinnedLookup(resolved: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    // Node 20 asks for all addresses when it races IPv4 and IPv6 (autoSelectFamily).
    if (options.all) callback(null, [resolved]);
    else callback(null, resolved.address, resolved.family);
  };
}
