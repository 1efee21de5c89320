import { UrlSigner } from './signed-url';

describe('UrlSigner', () => {
  const signer = new UrlSigner('0123456789abcdef-secret');
  const exp = Math.floor(Date.now() / 1000) + 60;

  it('accepts its own signature until the expiry', () => {
    const sig = signer.sign('exports', 'a/b.csv', exp);
    expect(signer.check('exports', 'a/b.csv', String(exp), sig)).toBeNull();
    expect(signer.check('exports', 'a/b.csv', String(exp), sig, '', (exp + 1) * 1000)).toBe(
      'expired',
    );
  });

  it('refuses a changed key, bucket, expiry or secret', () => {
    const sig = signer.sign('exports', 'a/b.csv', exp);
    expect(signer.check('exports', 'a/c.csv', String(exp), sig)).toBe('bad signature');
    expect(signer.check('other', 'a/b.csv', String(exp), sig)).toBe('bad signature');
    expect(signer.check('exports', 'a/b.csv', String(exp + 3600), sig)).toBe('bad signature');
    expect(signer.check('exports', 'a/b.csv', 'soon', sig)).toBe('bad signature');
    const other = new UrlSigner('another-secret-of-16+');
    expect(other.check('exports', 'a/b.csv', String(exp), sig)).toBe('bad signature');
  });

  it('binds the nonce', () => {
    const sig = signer.sign('exports', 'k', exp, 'n1');
    expect(signer.check('exports', 'k', String(exp), sig, 'n1')).toBeNull();
    expect(signer.check('exports', 'k', String(exp), sig, 'n2')).toBe('bad signature');
    expect(sig).not.toBe(signer.sign('exports', 'k', exp, 'n2'));
  });

  it('refuses a short secret', () => {
    expect(() => new UrlSigner('short')).toThrow(/16 characters/);
  });
});
