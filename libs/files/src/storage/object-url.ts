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

/** True for the URLs of objects (`store://`, `s3://`), as opposed to http(s) sources and PUTs. */
export function isObjectUrl(url: string): boolean {
  return /^(store|s3):\/\//i.test(url);
}

/** The bucket list of FERRY_STORE_BUCKETS (`exports,uploads`). */
export function storeBucketList(setting: string): string[] {
  return setting
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
}

/**
 * Refuses a built-in store bucket that is not in the configured list: each bucket is a JetStream
 * stream made on first use, so a free name would let any user create streams.
 */
export function checkStoreBucket(bucket: string, allowed: readonly string[]): void {
  if (allowed.includes(bucket)) return;
  throw FerryError.validation(
    `store://${bucket}/ is not a bucket of the built-in store; use one of ${allowed.map((b) => `store://${b}/`).join(', ')}`,
    { bucket, buckets: allowed },
  );
}

/**
 * Everything about an object URL that can be refused without asking a backend (docs/FORMATS.md
 * §1): its form, bucket name and `..` (parseObjectUrl), a folder given as an import's source, and
 * a built-in store bucket outside `storeBuckets`. The gateway runs it before a task exists; the
 * workers run the same rules when they open or write the object.
 */
export function checkObjectUrl(
  url: string,
  role: 'source' | 'destination',
  storeBuckets: readonly string[],
): ObjectLocation {
  const loc = role === 'source' ? parseSourceObjectUrl(url) : parseObjectUrl(url);
  if (loc.scheme === 'store') checkStoreBucket(loc.bucket, storeBuckets);
  return loc;
}

/** An import's object: a file, not a folder. */
export function parseSourceObjectUrl(url: string): ObjectLocation {
  const loc = parseObjectUrl(url);
  if (isFolderKey(loc.key)) {
    throw FerryError.validation(`file_url ${url} names a folder, not a file`);
  }
  return loc;
}
