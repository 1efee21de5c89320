import { classifyAddress, refusedAddressClass } from './address.guard';

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', null],
    ['2606:4700:4700::1111', null],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.32.0.1', null],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
    ['100.100.100.200', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'metadata'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['64:ff9b::a00:1', 'reserved'],
  ])('%s → %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });
});

describe('refusedAddressClass', () => {
  it('lets loopback and private addresses through only when allowed', () => {
    expect(refusedAddressClass('127.0.0.1', {})).toBe('loopback');
    expect(refusedAddressClass('127.0.0.1', { allowLoopback: true })).toBeNull();
    expect(refusedAddressClass('10.0.0.1', { allowLoopback: true })).toBe('private');
    expect(refusedAddressClass('10.0.0.1', { allowPrivate: true })).toBeNull();
    expect(
      refusedAddressClass('169.254.169.254', { allowPrivate: true, allowLoopback: true }),
    ).toBe('metadata');
    expect(refusedAddressClass('169.254.1.1', { allowPrivate: true })).toBe('link-local');
    expect(refusedAddressClass('not-an-ip', {})).toBe('reserved');
  });
});
