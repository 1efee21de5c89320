import { BlockList, isIP } from 'net';

/** Why an address may not be fetched; `null` when it is a public address. */
export type AddressClass = 'loopback' | 'private' | 'link-local' | 'unspecified' | 'reserved';

export interface AddressPolicy {
  /** Lets 127.0.0.0/8 and ::1 through (tests, a sidecar on the same host). */
  allowLoopback?: boolean;
  /** Lets RFC 1918, CGNAT and unique-local IPv6 addresses through (an operator's internal store). */
  allowPrivate?: boolean;
}

type Family = 'ipv4' | 'ipv6';

function blockList(ranges: ReadonlyArray<readonly [string, number, Family]>): BlockList {
  const list = new BlockList();
  for (const [net, prefix, family] of ranges) list.addSubnet(net, prefix, family);
  return list;
}

// Built once: checking an address is a few comparisons. BlockList also matches IPv4-mapped IPv6
// addresses (::ffff:127.0.0.1) against the IPv4 ranges.
const LISTS: ReadonlyArray<readonly [AddressClass, BlockList]> = [
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
  // Cloud metadata services live here (169.254.169.254, fd00:ec2::254): never allowed.
  [
    'link-local',
    blockList([
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
      ['fd00:ec2::254', 128, 'ipv6'],
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

/** The class of a literal IP address, or null for a public one (or for something not an IP). */
export function classifyAddress(address: string): AddressClass | null {
  const version = isIP(address);
  if (version === 0) return null;
  const family: Family = version === 4 ? 'ipv4' : 'ipv6';
  for (const [cls, list] of LISTS) if (list.check(address, family)) return cls;
  return null;
}

/** Returns why `address` is refused under `policy`, or null when it may be fetched. */
export function refusedAddressClass(address: string, policy: AddressPolicy): AddressClass | null {
  if (isIP(address) === 0) return 'reserved';
  const cls = classifyAddress(address);
  if (cls === 'loopback' && policy.allowLoopback) return null;
  if (cls === 'private' && policy.allowPrivate) return null;
  return cls;
}
