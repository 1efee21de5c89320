import { BlockList, isIP } from 'net';

/** One operator entry: a host name, an address or a CIDR, optionally limited to one port. */
interface Entry {
  host?: string;
  net?: BlockList;
  port?: number;
  text: string;
}

/**
 * The operator's allow-list (`FERRY_FETCH_ALLOW_LIST`): hosts and networks Ferry may fetch from
 * (and PUT to) although their addresses are not public — an internal file server, a MinIO, or
 * 127.0.0.1 in a local set-up. Entries are separated by commas:
 *
 *   files.internal   files.internal:8443   127.0.0.1:8080   10.0.0.0/8   10.0.0.0/8:443
 *   ::1   [::1]:8080   fd00::/8   [fd00::]/8:443
 *
 * A host entry matches the URL's host name exactly (case-insensitive); an address or CIDR entry
 * matches the address the host resolved to. Without a port an entry covers every port.
 * Cloud metadata and unspecified addresses stay refused whatever the list says.
 */
export class FetchAllowList {
  private constructor(private readonly entries: readonly Entry[]) {}

  static readonly EMPTY = new FetchAllowList([]);

  /** Parses the setting; throws an Error naming the first bad entry. */
  static parse(text: string): FetchAllowList {
    const entries = text
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '')
      .map(parseEntry);
    return new FetchAllowList(entries);
  }

  /** Both lists together (the loopback shorthand added to the operator's list). */
  with(other: FetchAllowList): FetchAllowList {
    return new FetchAllowList([...this.entries, ...other.entries]);
  }

  get size(): number {
    return this.entries.length;
  }

  /** True when `host` (as written in the URL) or `address` (what it resolved to) is listed for `port`. */
  allows(host: string, address: string, port: number): boolean {
    const name = host.toLowerCase();
    const version = isIP(address);
    for (const e of this.entries) {
      if (e.port !== undefined && e.port !== port) continue;
      if (e.host !== undefined && e.host === name) return true;
      if (e.net && version !== 0 && e.net.check(address, version === 4 ? 'ipv4' : 'ipv6')) {
        return true;
      }
    }
    return false;
  }

  toString(): string {
    return this.entries.map((e) => e.text).join(',');
  }
}

/** The entries FERRY_ALLOW_LOOPBACK_SOURCES=true stands for. */
export const LOOPBACK_ALLOW_LIST = FetchAllowList.parse('127.0.0.0/8,::1');

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*\.?$/i;

function parseEntry(text: string): Entry {
  const bad = (why: string): Error =>
    new Error(`the allow-list entry "${text}" is not valid: ${why}`);
  let rest = text;
  let port: number | undefined;
  let bracketed = false;
  if (rest.startsWith('[')) {
    // [v6], [v6]:port, [v6]/prefix, [v6]/prefix:port
    const close = rest.indexOf(']');
    if (close === -1) throw bad('a "[" without its "]"');
    const after = rest.slice(close + 1);
    const m = /^(\/\d{1,3})?(?::(\d{1,5}))?$/.exec(after);
    if (!m) throw bad('expected /prefix or :port after "]"');
    if (m[2] !== undefined) port = Number(m[2]);
    rest = rest.slice(1, close) + (m[1] ?? '');
    bracketed = true;
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    // host:port, v4:port, v4/prefix:port (a bare IPv6 address has several colons and no port)
    const at = rest.lastIndexOf(':');
    if (!/^\d{1,5}$/.test(rest.slice(at + 1))) throw bad('the port must be a number');
    port = Number(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  if (port !== undefined && (port < 1 || port > 65535)) throw bad('the port must be 1-65535');

  const slash = rest.indexOf('/');
  const addr = slash === -1 ? rest : rest.slice(0, slash);
  const version = isIP(addr);
  if (version !== 0) {
    const max = version === 4 ? 32 : 128;
    const prefix = slash === -1 ? max : Number(rest.slice(slash + 1));
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || rest.slice(slash + 1) === '') {
      throw bad(`the prefix must be 0-${max}`);
    }
    const net = new BlockList();
    net.addSubnet(addr, prefix, version === 4 ? 'ipv4' : 'ipv6');
    return { net, port, text };
  }
  if (bracketed) throw bad('brackets hold an IPv6 address');
  if (slash !== -1) throw bad('a /prefix needs an IP address');
  if (!HOST_NAME.test(rest)) throw bad('neither a host name nor an IP address');
  return { host: rest.toLowerCase().replace(/\.$/, ''), port, text };
}
