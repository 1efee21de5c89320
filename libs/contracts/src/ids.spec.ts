import { derivedId, idTime, newId, ulid } from './ids';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('ulid / newId', () => {
  it('is 26 Crockford base-32 characters, with the prefix and an underscore in front for newId', () => {
    expect(ulid()).toMatch(ULID);
    for (const prefix of ['task', 'event', 'cust', 'feat', 'meter', 'price'] as const) {
      const id = newId(prefix);
      expect(id).toMatch(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`));
    }
  });

  it('encodes the time in the first 10 characters, so ids of later times sort after', () => {
    const times = [0, 1, 31, 32, 1_700_000_000_000, 1_700_000_000_001, Date.now(), 2 ** 48 - 1];
    const ids = times.map((t) => newId('task', t));
    expect([...ids].sort()).toEqual(ids);
    ids.forEach((id, i) => expect(idTime(id)).toBe(times[i]));
    expect(ulid(0).slice(0, 10)).toBe('0000000000');
    expect(ulid(2 ** 48 - 1).slice(0, 10)).toBe('7ZZZZZZZZZ');
  });

  it('differs in its random part for the same millisecond', () => {
    const now = Date.now();
    const ids = new Set(Array.from({ length: 1000 }, () => ulid(now)));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id.slice(0, 10)).toBe(ulid(now).slice(0, 10));
  });
});

describe('derivedId', () => {
  const time = Date.UTC(2025, 0, 2, 3, 4, 5, 6);

  it('is the same for the same seed and time, and has the shape of a new id', () => {
    const a = derivedId('event', time, 'task_X:42');
    expect(derivedId('event', time, 'task_X:42')).toBe(a);
    expect(a).toMatch(/^event_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(idTime(a)).toBe(time);
  });

  it('differs across seeds (including seeds that differ by one character)', () => {
    const ids = new Set<string>();
    for (let line = 0; line < 2000; line++) ids.add(derivedId('event', time, `task_X:${line}`));
    ids.add(derivedId('event', time, 'task_Y:1'));
    ids.add(derivedId('event', time, ''));
    expect(ids.size).toBe(2002);
  });

  it('keeps the random part when only the time changes', () => {
    const a = derivedId('event', time, 'seed');
    const b = derivedId('event', time + 1, 'seed');
    expect(a).not.toBe(b);
    expect(a.slice(-16)).toBe(b.slice(-16));
  });
});

describe('idTime', () => {
  it('round-trips the time of a prefixed id and of a bare ULID', () => {
    const now = Date.now();
    expect(idTime(newId('task', now))).toBe(now);
    expect(idTime(newId('upload', now))).toBe(now);
    expect(idTime(ulid(now))).toBe(now);
  });
});
