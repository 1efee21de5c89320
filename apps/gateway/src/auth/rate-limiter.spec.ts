import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a burst, then refuses with the seconds until the next token', () => {
    let now = 0;
    const limiter = new RateLimiter(60, 3, () => now); // one token a second
    expect([limiter.take('k'), limiter.take('k'), limiter.take('k')]).toEqual([0, 0, 0]);
    expect(limiter.take('k')).toBe(1);
    now += 1000;
    expect(limiter.take('k')).toBe(0);
    expect(limiter.take('k')).toBe(1);
  });

  it('keeps one bucket per key', () => {
    const limiter = new RateLimiter(60, 1, () => 0);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
    expect(limiter.take('b')).toBe(0);
  });

  it('never holds more than the burst, however long a key was idle', () => {
    let now = 0;
    const limiter = new RateLimiter(600, 2, () => now);
    now += 3_600_000;
    expect([limiter.take('k'), limiter.take('k'), limiter.take('k')]).toEqual([0, 0, 1]);
  });

  it('is off when the rate is 0', () => {
    const limiter = new RateLimiter(0, 0, () => 0);
    for (let i = 0; i < 1000; i++) expect(limiter.take('k')).toBe(0);
  });
});
