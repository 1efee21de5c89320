import { isFolderKey, objectUrl, parseObjectUrl } from './object-url';

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
