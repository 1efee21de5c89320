import { createHash } from 'crypto';

import { apiKeyDisplayPrefix, generateApiKey, hashApiKey } from './api-key.hash';

describe('api key hashing', () => {
  it('hashApiKey is stable sha256 hex', () => {
    const key = 'fry_example';
    expect(hashApiKey(key)).toBe(hashApiKey(key));
    expect(hashApiKey(key)).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    // A fixed vector, so a change of algorithm (which would lock every user out) fails here.
    expect(hashApiKey('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(hashApiKey('fry_a')).not.toBe(hashApiKey('fry_b'));
  });

  it('generateApiKey gives fry_ + 32 random bytes in base64url', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a).toMatch(/^fry_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(4), 'base64url')).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(apiKeyDisplayPrefix(a)).toBe(a.slice(0, 8));
  });
});
