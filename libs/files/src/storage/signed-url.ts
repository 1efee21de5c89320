import { createHmac, timingSafeEqual } from 'crypto';

/**
 * Signed, expiring links to objects of the built-in store, served by the gateway: the signature is
 * the credential (no API key), it covers the bucket, the key and the expiry, and it is an HMAC with
 * a secret only the gateway knows, so a link can be neither forged nor extended.
 */
export class UrlSigner {
  constructor(private readonly secret: string) {
    if (secret.length < 16) throw new Error('the signing secret must have at least 16 characters');
  }

  /** `nonce` makes every issued link distinct, even two in the same second. */
  sign(bucket: string, key: string, expiresAtSec: number, nonce = ''): string {
    return createHmac('sha256', this.secret)
      .update(`${bucket}\n${key}\n${expiresAtSec}\n${nonce}`)
      .digest('base64url');
  }

  /** `null` when the link is good; otherwise why not (`expired` or `bad signature`). */
  check(
    bucket: string,
    key: string,
    expires: string,
    signature: string,
    nonce = '',
    nowMs = Date.now(),
  ): 'expired' | 'bad signature' | null {
    if (!/^\d{1,12}$/.test(expires)) return 'bad signature';
    const expected = Buffer.from(this.sign(bucket, key, Number(expires), nonce));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return 'bad signature';
    }
    return Number(expires) * 1000 < nowMs ? 'expired' : null;
  }
}
