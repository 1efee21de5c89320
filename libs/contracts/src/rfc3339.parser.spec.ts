import { checkRfc3339, normalizeRfc3339, TimestampProblem } from './rfc3339.parser';

describe('checkRfc3339', () => {
  it.each([
    '2024-01-31T12:00:00Z',
    '2024-01-31T12:00:00z',
    '2024-01-31t12:00:00Z',
    '2024-01-31 12:00:00Z',
    '2024-01-31T12:00:00+02:00',
    '2024-01-31T12:00:00-05:30',
    '2024-01-31T12:00:00-00:00',
    '2024-01-31T23:59:59.1Z',
    '2024-01-31T23:59:59.123456789+14:00',
    '2024-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
    '2016-12-31T23:59:60Z',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
  ])('accepts %s', (value) => {
    expect(checkRfc3339(value)).toBe(TimestampProblem.None);
  });

  it.each([
    ['2024-01-31T12:00:00', TimestampProblem.NoZone],
    ['2024-01-31T12:00:00.5', TimestampProblem.NoZone],
    ['2024-02-30T00:00:00Z', TimestampProblem.OutOfRange],
    ['2023-02-29T00:00:00Z', TimestampProblem.OutOfRange],
    ['1900-02-29T00:00:00Z', TimestampProblem.OutOfRange],
    ['2024-04-31T00:00:00Z', TimestampProblem.OutOfRange],
    ['2024-13-01T00:00:00Z', TimestampProblem.OutOfRange],
    ['2024-00-10T00:00:00Z', TimestampProblem.OutOfRange],
    ['2024-01-00T00:00:00Z', TimestampProblem.OutOfRange],
    ['2024-01-01T24:00:00Z', TimestampProblem.OutOfRange],
    ['2024-01-01T10:60:00Z', TimestampProblem.OutOfRange],
    ['2024-01-01T10:00:61Z', TimestampProblem.OutOfRange],
    ['2024-01-01T10:00:00+24:00', TimestampProblem.OutOfRange],
    ['0000-01-01T00:00:00Z', TimestampProblem.OutOfRange],
    ['2024-01-01T10:00:00+0200', TimestampProblem.Malformed],
    ['2024-01-01T10:00:00+02', TimestampProblem.Malformed],
    ['2024-01-01T10:00:00.Z', TimestampProblem.Malformed],
    ['2024-01-01T10:00:00.1234567890Z', TimestampProblem.Malformed],
    ['2024-01-01T10:00:00ZZ', TimestampProblem.Malformed],
    ['2024-01-01T10:00:00 UTC', TimestampProblem.Malformed],
    ['2024-01-01', TimestampProblem.Malformed],
    ['2024-1-01T10:00:00Z', TimestampProblem.Malformed],
    ['2024/01/01T10:00:00Z', TimestampProblem.Malformed],
    ['1706702400', TimestampProblem.Malformed],
    ['yesterday', TimestampProblem.Malformed],
    ['', TimestampProblem.Malformed],
  ])('refuses %s', (value, problem) => {
    expect(checkRfc3339(value)).toBe(problem);
  });
});

describe('normalizeRfc3339', () => {
  it.each([
    ['2024-01-31T12:00:00Z', '2024-01-31T12:00:00Z'],
    ['2024-01-31t12:00:00z', '2024-01-31T12:00:00Z'],
    ['2024-01-31 12:00:00.5+02:00', '2024-01-31T12:00:00.5+02:00'],
  ])('%s → %s', (value, expected) => {
    expect(normalizeRfc3339(value)).toBe(expected);
  });
});
