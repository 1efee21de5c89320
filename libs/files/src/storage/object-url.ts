import { FerryError } from '@ferry/contracts';

export type ObjectScheme = 'store' | 's3';

/** `store://bucket/key` or `s3://bucket/key`, split; `key` may be empty or end with `/` (a folder). */
export interface ObjectLocation {
  scheme: ObjectScheme;
  bucket: string;
  key: string;
}

const OBJECT_URL = /^(store|s3):\/\/([^/\s]+)(?:\/(\S*))?$/i;
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Parses an object URL; anything else is a non-retryable validation error naming the URL. */
export function parseObjectUrl(url: string): ObjectLocation {
  const m = OBJECT_URL.exec(url);
  if (!m) {
    throw FerryError.validation(`${url} is not a store://bucket/key or s3://bucket/key URL`);
  }
  const bucket = m[2];
  if (!BUCKET.test(bucket)) {
    throw FerryError.validation(
      `the bucket name ${JSON.stringify(bucket)} of ${url} may hold only letters, digits, dot, dash and underscore`,
    );
  }
  const key = m[3] ?? '';
  if (key.split('/').some((part) => part === '..')) {
    throw FerryError.validation(`the key of ${url} may not contain ..`);
  }
  return { scheme: m[1].toLowerCase() as ObjectScheme, bucket, key };
}

export function objectUrl(loc: ObjectLocation): string {
  return `${loc.scheme}://${loc.bucket}/${loc.key}`;
}

/** True for keys that name a folder (`exports/`, or none): the writer appends a file name. */
export function isFolderKey(key: string): boolean {
  return key === '' || key.endsWith('/');
}
