import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it.each([
    [
      'https://bucket.s3.amazonaws.com/a/b.csv?X-Amz-Signature=abc&X-Amz-Credential=x',
      'https://bucket.s3.amazonaws.com/a/b.csv?<redacted>',
    ],
    ['https://user:pass@example.com/f.csv', 'https://example.com/f.csv'],
    ['http://example.com/f.csv#frag', 'http://example.com/f.csv'],
    ['http://example.com/f.csv', 'http://example.com/f.csv'],
    ['not a url?token=abc', 'not a url?<redacted>'],
    ['//user:pw@host/x?sig=1', '//host/x?<redacted>'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
