import { type StreamSlot, StreamSlots } from './stream-slots';

const held = (s: ReturnType<StreamSlots['acquire']>): StreamSlot => {
  if ('refused' in s) throw new Error(`refused: ${s.refused}`);
  return s;
};

describe('StreamSlots', () => {
  it('gives a key its share, refuses one more, and gives the slot back on release', () => {
    const slots = new StreamSlots(2, 10);
    const a = held(slots.acquire('key_a'));
    held(slots.acquire('key_a'));
    expect(slots.acquire('key_a')).toEqual({ refused: 'key', limit: 2 });
    expect(slots.open('key_a')).toBe(2);
    a.release();
    expect(slots.open('key_a')).toBe(1);
    held(slots.acquire('key_a'));
  });

  it('spares other keys while one key is at its cap', () => {
    const slots = new StreamSlots(1, 10);
    held(slots.acquire('key_a'));
    expect(slots.acquire('key_a')).toMatchObject({ refused: 'key' });
    held(slots.acquire('key_b'));
    expect(slots.open()).toBe(2);
  });

  it('caps the whole process, whatever the key', () => {
    const slots = new StreamSlots(5, 3);
    const first = held(slots.acquire('key_a'));
    held(slots.acquire('key_b'));
    held(slots.acquire('key_c'));
    expect(slots.acquire('key_d')).toEqual({ refused: 'process', limit: 3 });
    first.release();
    held(slots.acquire('key_d'));
  });

  it('frees a slot once however often it is released, and forgets keys that hold none', () => {
    const slots = new StreamSlots(2, 2);
    const a = held(slots.acquire('key_a'));
    a.release();
    a.release();
    expect(slots.open()).toBe(0);
    expect(slots.open('key_a')).toBe(0);
    expect((slots as unknown as { byKey: Map<string, number> }).byKey.size).toBe(0);
    held(slots.acquire('key_a'));
    held(slots.acquire('key_a'));
    expect(slots.acquire('key_a')).toMatchObject({ refused: 'key' });
  });
});
