import { FerryError } from '@ferry/contracts';

import {
  checkObjectUrl,
  checkStoreBucket,
  isFolderKey,
  isObjectUrl,
  objectUrl,
  parseObjectUrl,
  storeBucketList,
} from './object-url';

describe('parseObjectUrl', () => {
  it.each([
    ['store://exports/', { scheme: 'store', bucket: 'exports', key: '' }],
    ['store://exports', { scheme: 'store', bucket: 'exports', key: '' }],
    ['s3://my-bucket/a/b.csv', { scheme: 's3', bucket: 'my-bucket', key: 'a/b.csv' }],
    ['STORE://up/x.csv.gz', { scheme: 'store', bucket: 'up', key: 'x.csv.gz' }],
  ])('%s', (url, loc) => {
    expect(parseObjectUrl(url)).toEqual(loc);
    expect(objectUrl(parseObjectUrl(url))).toBe(`${loc.scheme}://${loc.bucket}/${loc.key}`);
  });

  it.each([
    'http://x/y',
    'store://',
    'store://bad bucket/x',
    's3://b/../etc/passwd',
    'store://-x/y',
  ])('refuses %s with a sentence', (url) => {
    expect(() => parseObjectUrl(url)).toThrow(/store:\/\/|bucket|\.\./);
  });

  it('knows a folder key', () => {
    expect(isFolderKey('')).toBe(true);
    expect(isFolderKey('exports/')).toBe(true);
    expect(isFolderKey('exports/a.csv')).toBe(false);
  });
});

describe('checkObjectUrl', () => {
  const buckets = storeBucketList(' exports, uploads ,');

  it('reads the bucket list of FERRY_STORE_BUCKETS', () => {
    expect(buckets).toEqual(['exports', 'uploads']);
  });

  it.each<[string, 'source' | 'destination']>([
    ['store://uploads/upload_1/events.csv', 'source'],
    ['store://exports/', 'destination'],
    ['store://exports/monthly/jan.csv', 'destination'],
    ['s3://any-bucket/imports/a.csv', 'source'],
    ['s3://any-bucket/', 'destination'],
  ])('passes %s as a %s', (url, role) => {
    expect(checkObjectUrl(url, role, buckets)).toEqual(parseObjectUrl(url));
  });

  it.each<[string, 'source' | 'destination', string]>([
    [
      'store://elsewhere/',
      'destination',
      'store://elsewhere/ is not a bucket of the built-in store; use one of store://exports/, store://uploads/',
    ],
    [
      'store://uploads/../secrets.csv',
      'source',
      'the key of store://uploads/../secrets.csv may not contain ..',
    ],
    ['s3://b/x/../../y', 'destination', 'the key of s3://b/x/../../y may not contain ..'],
    ['store://uploads/', 'source', 'file_url store://uploads/ names a folder, not a file'],
    [
      'store://b@d/x',
      'destination',
      'the bucket name "b@d" of store://b@d/x may hold only letters, digits, dot, dash and underscore',
    ],
  ])('refuses %s as a %s with a sentence', (url, role, message) => {
    let err: unknown;
    try {
      checkObjectUrl(url, role, buckets);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).retryable).toBe(false);
    expect((err as FerryError).message).toBe(message);
  });

  it('is the rule the built-in store applies too', () => {
    expect(() => checkStoreBucket('exports', buckets)).not.toThrow();
    expect(() => checkStoreBucket('OBJ_x', buckets)).toThrow(
      /is not a bucket of the built-in store/,
    );
  });

  it('tells object URLs from http(s) ones', () => {
    expect(isObjectUrl('STORE://exports/')).toBe(true);
    expect(isObjectUrl('s3://b/k')).toBe(true);
    expect(isObjectUrl('https://files.example.com/store://x')).toBe(false);
  });
});
