import {
  ERROR_SUMMARY_MAX_BYTES,
  ERROR_SUMMARY_MAX_ROWS,
  summarizeRowErrors,
  truncateUtf8,
} from './row-error';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
/** A lone surrogate is half a character: encoding it as UTF-8 yields U+FFFD. */
const hasLoneSurrogate = (s: string): boolean =>
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

function errors(n: number, message = (i: number) => `event_name is required (${i})`) {
  return Array.from({ length: n }, (_, i) => ({ row_number: i + 2, message: message(i) }));
}

describe('summarizeRowErrors', () => {
  it('is null when no row was rejected', () => {
    expect(summarizeRowErrors([], 0)).toBeNull();
  });

  it('lists every error when there are at most 10, as `row N: message`', () => {
    expect(summarizeRowErrors([{ row_number: 7, message: 'timestamp "x" is bad' }], 1)).toBe(
      'row 7: timestamp "x" is bad',
    );
    const ten = summarizeRowErrors(errors(10), 10);
    expect(ten?.split('; ')).toHaveLength(10);
    expect(ten).not.toMatch(/more/);
  });

  it('keeps the first 10 and counts the rest as `… and K more`', () => {
    const text = summarizeRowErrors(errors(25), 25);
    const parts = text?.split('; ') ?? [];
    expect(parts).toHaveLength(ERROR_SUMMARY_MAX_ROWS + 1);
    expect(parts[0]).toBe('row 2: event_name is required (0)');
    expect(parts[9]).toBe('row 11: event_name is required (9)');
    expect(parts[10]).toBe('… and 15 more');
  });

  it('counts the rows beyond the samples it was given', () => {
    expect(summarizeRowErrors(errors(3), 1000)).toBe(
      'row 2: event_name is required (0); row 3: event_name is required (1); ' +
        'row 4: event_name is required (2); … and 997 more',
    );
  });

  it('stays within 2 KB with huge messages, keeping the `… and K more` tail', () => {
    const text = summarizeRowErrors(
      errors(10, (i) => `${i}:${'x'.repeat(100_000)}`),
      12,
    ) as string;
    expect(bytes(text)).toBeLessThanOrEqual(ERROR_SUMMARY_MAX_BYTES);
    expect(text.startsWith('row 2: 0:xxx')).toBe(true);
    expect(text.endsWith('...; … and 2 more')).toBe(true);
  });

  it.each([
    ['2-byte', 'é'],
    ['3-byte', '€'],
    ['4-byte (surrogate pair)', '😀'],
    ['mixed', 'aé€😀'],
  ])('stays within 2 KB without splitting %s characters', (_name, char) => {
    for (let pad = 0; pad < 4; pad++) {
      const message = 'x'.repeat(pad) + char.repeat(5_000);
      const text = summarizeRowErrors(
        errors(11, () => message),
        11,
      ) as string;
      expect(bytes(text)).toBeLessThanOrEqual(ERROR_SUMMARY_MAX_BYTES);
      expect(bytes(text)).toBeGreaterThan(ERROR_SUMMARY_MAX_BYTES - 8);
      expect(hasLoneSurrogate(text)).toBe(false);
      expect(text.endsWith('...; … and 1 more')).toBe(true);
    }
  });
});

describe('truncateUtf8', () => {
  it('returns a string that fits as it is', () => {
    expect(truncateUtf8('', 0)).toBe('');
    expect(truncateUtf8('abc', 3)).toBe('abc');
    expect(truncateUtf8('€', 3)).toBe('€');
  });

  it('cuts ASCII at the byte limit', () => {
    expect(truncateUtf8('abcdef', 4)).toBe('abcd');
    expect(truncateUtf8('abc', 0)).toBe('');
  });

  it('cuts before a multi-byte character that would not fit whole', () => {
    expect(truncateUtf8('aé', 2)).toBe('a');
    expect(truncateUtf8('a€b', 3)).toBe('a');
    expect(truncateUtf8('a€b', 4)).toBe('a€');
    expect(truncateUtf8('€€€', 8)).toBe('€€');
  });

  it('never keeps half of a surrogate pair (a 4-byte character)', () => {
    expect(truncateUtf8('😀', 3)).toBe('');
    expect(truncateUtf8('a😀', 2)).toBe('a');
    expect(truncateUtf8('ab😀', 5)).toBe('ab');
    expect(truncateUtf8('ab😀c', 6)).toBe('ab😀');
    for (let max = 0; max <= 20; max++) {
      const out = truncateUtf8('x😀y😀😀zé€😀', max);
      expect(bytes(out)).toBeLessThanOrEqual(max);
      expect(hasLoneSurrogate(out)).toBe(false);
    }
  });
});
