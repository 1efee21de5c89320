import { createHash, randomBytes } from 'crypto';

export const API_KEY_PREFIX = 'fry_';

/** How an API key is stored and looked up: sha256, hex. Keys are random, so no salt is needed. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new API key: `fry_` + 32 random bytes, base64url. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** The part of a key shown in listings (its first 8 characters). */
export function apiKeyDisplayPrefix(key: string): string {
  return key.slice(0, 8);
}
