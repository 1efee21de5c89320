import { refusedAddressClass } from './address.guard';
import { FetchAllowList, LOOPBACK_ALLOW_LIST } from './fetch-allow-list';

describe('FetchAllowList', () => {
  const list = FetchAllowList.parse(
    ' files.internal, store.internal:9000 ,127.0.0.1:8080,10.0.0.0/8,192.168.0.0/16:443,::1,[fd00::1]:7000,fd12::/16',
  );

  it.each([
    ['files.internal', '10.9.9.9', 1234, true],
    ['FILES.internal', '192.168.1.1', 80, true],
    ['store.internal', '192.168.1.1', 9000, true],
    ['store.internal', '192.168.1.1', 9001, false],
    ['127.0.0.1', '127.0.0.1', 8080, true],
    ['127.0.0.1', '127.0.0.1', 8081, false],
    ['127.0.0.2', '127.0.0.2', 8080, false],
    ['x.test', '10.1.2.3', 22, true],
    ['x.test', '192.168.3.3', 443, true],
    ['x.test', '192.168.3.3', 80, false],
    ['::1', '::1', 1, true],
    ['x.test', 'fd00::1', 7000, true],
    ['x.test', 'fd00::1', 7001, false],
    ['x.test', 'fd12:3::1', 5, true],
    ['x.test', '172.16.0.1', 80, false],
  ])('%s (%s) port %d → %s', (host, address, port, expected) => {
    expect(list.allows(host, address, port)).toBe(expected);
  });

  it.each([
    ['10.0.0.0/33', /prefix must be 0-32/],
    ['files.internal:http', /port must be a number/],
    ['127.0.0.1:70000', /port must be 1-65535/],
    ['[::1', /without its/],
    ['name/8', /needs an IP address/],
    ['bad host!', /neither a host name nor an IP address/],
    ['[files.internal]', /brackets hold an IPv6 address/],
  ])('refuses the entry %s', (entry, why) => {
    expect(() => FetchAllowList.parse(entry)).toThrow(why);
  });

  it('lets an allowed host or network through the guard, except metadata and unspecified addresses', () => {
    const policy = { allowList: FetchAllowList.parse('10.0.0.0/8,169.254.0.0/16,0.0.0.0/0') };
    expect(refusedAddressClass('10.1.1.1', policy, 'x.test', 80)).toBeNull();
    expect(refusedAddressClass('::ffff:10.1.1.1', policy, 'x.test', 80)).toBeNull();
    expect(refusedAddressClass('169.254.169.254', policy, 'x.test', 80)).toBe('metadata');
    expect(refusedAddressClass('0.0.0.0', policy, 'x.test', 80)).toBe('unspecified');
    const loopback = { allowList: LOOPBACK_ALLOW_LIST };
    expect(refusedAddressClass('127.0.0.5', loopback, '127.0.0.5', 1)).toBeNull();
    expect(refusedAddressClass('::ffff:127.0.0.1', loopback, 'x', 1)).toBeNull();
    expect(refusedAddressClass('10.0.0.1', loopback, 'x', 1)).toBe('private');
  });
});
