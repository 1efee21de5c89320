import { BlockList, isIP } from 'net';

import type { FetchAllowList } from './fetch-allow-list';

/** Why an address may not be fetched; `null` when it is a public address. */
export type AddressClass =
  'metadata' | 'loopback' | 'private' | 'link-local' | 'unspecified' | 'reserved';

export interface AddressPolicy {
  /** Lets 127.0.0.0/8 and ::1 through (FERRY_ALLOW_LOOPBACK_SOURCES: tests, a local set-up). */
  allowLoopback?: boolean;
  /** Lets RFC 1918, CGNAT and unique-local IPv6 addresses through (an operator's internal store). */
  allowPrivate?: boolean;
  /** Hosts and networks (optionally one port) allowed although not public (FERRY_FETCH_ALLOW_LIST). */
  allowList?: FetchAllowList;
}

/** Classes nothing can allow: the cloud metadata services, and 0.0.0.0 / :: (which reach this host). */
const NEVER_ALLOWED: ReadonlySet<AddressClass> = new Set(['metadata', 'unspecified']);

type Family = 'ipv4' | 'ipv6';

function blockList(ranges: ReadonlyArray<readonly [string, number, Family]>): BlockList {
  const list = new BlockList();
  for (const [net, prefix, family] of ranges) list.addSubnet(net, prefix, family);
  return list;
}

// Built once: checking an address is a few comparisons. BlockList also matches IPv4-mapped IPv6
// addresses (::ffff:127.0.0.1) against the IPv4 ranges.
const LISTS: ReadonlyArray<readonly [AddressClass, BlockList]> = [
  // AWS/GCP/Azure/OpenStack (169.254.169.254), ECS task metadata (169.254.170.2), AWS IPv6
  // (fd00:ec2::254), Alibaba (100.100.100.200), Oracle (192.0.0.192), Azure wireserver
  // (168.63.129.16, a public address): refused even when the operator allows their networks.
  [
    'metadata',
    blockList([
      ['169.254.169.254', 32, 'ipv4'],
      ['169.254.170.2', 32, 'ipv4'],
      ['100.100.100.200', 32, 'ipv4'],
      ['192.0.0.192', 32, 'ipv4'],
      ['168.63.129.16', 32, 'ipv4'],
      ['fd00:ec2::254', 128, 'ipv6'],
    ]),
  ],
  [
    'unspecified',
    blockList([
      ['0.0.0.0', 8, 'ipv4'],
      ['::', 128, 'ipv6'],
    ]),
  ],
  [
    'loopback',
    blockList([
      ['127.0.0.0', 8, 'ipv4'],
      ['::1', 128, 'ipv6'],
    ]),
  ],
  [
    'link-local',
    blockList([
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ]),
  ],
  [
    'private',
    blockList([
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
      ['100.64.0.0', 10, 'ipv4'],
      ['198.18.0.0', 15, 'ipv4'],
      ['fc00::', 7, 'ipv6'],
    ]),
  ],
  [
    'reserved',
    blockList([
      ['192.0.0.0', 24, 'ipv4'],
      ['192.0.2.0', 24, 'ipv4'],
      ['198.51.100.0', 24, 'ipv4'],
      ['203.0.113.0', 24, 'ipv4'],
      ['224.0.0.0', 4, 'ipv4'],
      ['240.0.0.0', 4, 'ipv4'],
      ['100::', 64, 'ipv6'],
      ['2001:db8::', 32, 'ipv6'],
      ['ff00::', 8, 'ipv6'],
      // NAT64 and 6to4 embed an IPv4 address that could be a private one.
      ['64:ff9b::', 96, 'ipv6'],
      ['2002::', 16, 'ipv6'],
    ]),
  ],
];

/**
 * `::ffff:10.0.0.1` and `::ffff:a00:1` (IPv4-mapped IPv6, which a dual-stack socket connects to
 * as IPv4) become `10.0.0.1`, so every check sees the address that is really reached.
 */
export function unmapAddress(address: string): string {
  const m = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(.+)$/i.exec(address);
  if (!m || isIP(address) !== 6) return address;
  const tail = m[1];
  if (isIP(tail) === 4) return tail;
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(tail);
  if (!hex) return address;
  const hi = parseInt(hex[1], 16);
  const lo = parseInt(hex[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** The class of a literal IP address, or null for a public one (or for something not an IP). */
export function classifyAddress(raw: string): AddressClass | null {
  const address = unmapAddress(raw);
  const version = isIP(address);
  if (version === 0) return null;
  const family: Family = version === 4 ? 'ipv4' : 'ipv6';
  for (const [cls, list] of LISTS) if (list.check(address, family)) return cls;
  return null;
}

/**
 * Returns why `address` is refused under `policy`, or null when it may be fetched. `host` and
 * `port` (as in the URL) let host and port entries of the allow-list match.
 */
export function refusedAddressClass(
  raw: string,
  policy: AddressPolicy,
  host = raw,
  port = 0,
): AddressClass | null {
  const address = unmapAddress(raw);
  if (isIP(address) === 0) return 'reserved';
  const cls = classifyAddress(address);
  if (cls === null) return null;
  if (NEVER_ALLOWED.has(cls)) return cls;
  if (cls === 'loopback' && policy.allowLoopback) return null;
  if (cls === 'private' && policy.allowPrivate) return null;
  if (policy.allowList?.allows(unmapAddress(host), address, port)) return null;
  return cls;
}
