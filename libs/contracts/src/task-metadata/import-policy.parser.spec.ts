import { FerryError } from '../ferry.error';
import { DEFAULT_RATIO_MIN_ROWS, parseImportPolicy } from './import-policy.parser';

function refusal(metadata: Record<string, unknown>): FerryError {
  try {
    parseImportPolicy(metadata);
  } catch (e) {
    return e as FerryError;
  }
  throw new Error('not refused');
}

describe('parseImportPolicy', () => {
  it('defaults to a plain import', () => {
    expect(parseImportPolicy(undefined)).toEqual({
      dryRun: false,
      atomic: false,
      maxErrorRatio: null,
      ratioMinRows: DEFAULT_RATIO_MIN_ROWS,
    });
  });

  it('reads booleans and their form spellings', () => {
    expect(parseImportPolicy({ dry_run: true, atomic: 'true' })).toMatchObject({
      dryRun: true,
      atomic: true,
    });
    expect(parseImportPolicy({ dry_run: 'false', atomic: false })).toMatchObject({
      dryRun: false,
      atomic: false,
    });
  });

  it.each<[unknown, number]>([
    [0, 0],
    [0.05, 0.05],
    ['0.25', 0.25],
    ['.5', 0.5],
    [1, 1],
  ])('reads max_error_ratio %p as %p', (given, expected) => {
    expect(parseImportPolicy({ max_error_ratio: given }).maxErrorRatio).toBe(expected);
  });

  it('reads max_error_ratio_min_rows beside a ratio', () => {
    expect(
      parseImportPolicy({ max_error_ratio: 0.1, max_error_ratio_min_rows: '20' }).ratioMinRows,
    ).toBe(20);
  });

  it.each<[Record<string, unknown>, string, string]>([
    [{ dry_run: 'yes' }, 'dry_run', 'metadata.dry_run must be true or false, not "yes"'],
    [{ atomic: 1 }, 'atomic', 'metadata.atomic must be true or false, not 1'],
    [{ max_error_ratio: 1.5 }, 'max_error_ratio', 'not 1.5'],
    [{ max_error_ratio: -0.1 }, 'max_error_ratio', 'not -0.1'],
    [{ max_error_ratio: '5%' }, 'max_error_ratio', 'not "5%"'],
    [{ max_error_ratio: true }, 'max_error_ratio', 'not true'],
    [{ max_error_ratio: 0.1, max_error_ratio_min_rows: 0 }, 'max_error_ratio_min_rows', 'not 0'],
    [{ max_error_ratio_min_rows: 10 }, 'max_error_ratio_min_rows', 'only applies with'],
  ])('refuses %p naming the key', (metadata, key, words) => {
    const err = refusal(metadata);
    expect(err).toBeInstanceOf(FerryError);
    expect(err.message).toContain(words);
    expect(Object.keys((err.details as { fields: object }).fields)).toEqual([`metadata.${key}`]);
  });
});
