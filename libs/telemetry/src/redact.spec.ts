import { redactSecrets } from './redact';

describe('redactSecrets', () => {
  it.each([
    [
      'file_url https://bucket.s3.amazonaws.com/a.csv?X-Amz-Signature=abc&X-Amz-Credential=k returned 403',
      'file_url https://bucket.s3.amazonaws.com/a.csv?<redacted> returned 403',
    ],
    [
      'fetch http://user:pa55@files.example.com/x.csv',
      'fetch http://<redacted>@files.example.com/x.csv',
    ],
    ['key fry_AbCdEf0123456789xyz was revoked', 'key fry_<redacted> was revoked'],
    ['store://uploads/u1.csv?sig=zz', 'store://uploads/u1.csv?<redacted>'],
    ['nothing secret here: row 3 bad', 'nothing secret here: row 3 bad'],
  ])('%s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });
});
