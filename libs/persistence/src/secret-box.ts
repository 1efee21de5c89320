import { createCipheriv, createDecipheriv, randomBytes } from 'crypto';

/**
 * Encrypts the secrets of a connection at rest (docs/DECISIONS.md decision 75): AES-256-GCM with
 * the operator's key (`FERRY_SECRETS_KEY`, 32 bytes as 64 hex digits or base64), a random 96-bit
 * IV per value and the row's id as additional data, so a ciphertext copied onto another row does
 * not open. Stored as `v1:<iv>:<tag>:<ciphertext>` (base64).
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** The box of a configured key, or null when none is set; a malformed key throws. */
  static fromSetting(value: string): SecretBox | null {
    if (value === '') return null;
    return new SecretBox(parseSecretsKey(value));
  }

  seal(plain: string, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(boundTo));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64')))
      .join(':');
  }

  open(sealed: string, boundTo: string): string {
    const [version, iv, tag, body] = sealed.split(':');
    if (version !== 'v1' || body === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(boundTo));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  }
}

/** 32 bytes from 64 hex digits or base64; anything else throws (the boot refuses it). */
export function parseSecretsKey(value: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(value)
    ? Buffer.from(value, 'hex')
    : Buffer.from(value, 'base64');
  if (key.length !== 32 || (!/^[0-9a-f]{64}$/i.test(value) && key.toString('base64') !== value)) {
    throw new Error('FERRY_SECRETS_KEY must be 32 bytes, as 64 hex digits or in base64');
  }
  return key;
}
