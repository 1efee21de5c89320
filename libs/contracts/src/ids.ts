import { createHash, randomBytes } from 'crypto';

/** Id prefixes of docs/FORMATS.md §2: `<prefix>_<ULID>`. */
export type IdPrefix =
  | 'task'
  | 'event'
  | 'cust'
  | 'feat'
  | 'meter'
  | 'price'
  | 'tenant'
  | 'env'
  | 'key'
  | 'user'
  | 'upload'
  | 'schtask'
  | 'conn'
  | 'whk'
  | 'msg';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function encodeTime(ms: number): string {
  let out = '';
  let t = Math.floor(ms);
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

/** 80 bits as 16 Crockford characters (5 bits each). */
function encodeRandom(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < 10; i++) {
    acc = (acc << 8) | bytes[i];
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

/** A new ULID (time-ordered, 128 bits). */
export function ulid(now = Date.now()): string {
  return encodeTime(now) + encodeRandom(randomBytes(10));
}

export function newId(prefix: IdPrefix, now = Date.now()): string {
  return `${prefix}_${ulid(now)}`;
}

/**
 * A ULID-shaped id that is the same every time for the same seed: used for records whose file
 * gives no id (an event without `event_id` gets one derived from its task and row), so that a
 * retried task writes the same ids and the database refuses the second copy.
 */
export function derivedId(prefix: IdPrefix, timeMs: number, seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  return `${prefix}_${encodeTime(timeMs)}${encodeRandom(digest)}`;
}

/** Milliseconds since the epoch encoded in a `prefix_ULID` id (for derived ids of a task). */
export function idTime(id: string): number {
  const u = id.slice(id.indexOf('_') + 1, id.indexOf('_') + 11);
  let t = 0;
  for (const c of u) t = t * 32 + CROCKFORD.indexOf(c);
  return t;
}
