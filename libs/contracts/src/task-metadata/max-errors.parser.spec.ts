import { FerryError } from '../ferry.error';
import { parseMaxErrors } from './max-errors.parser';

describe('parseMaxErrors', () => {
  it('is null when the task leaves it to FERRY_MAX_ROW_ERRORS', () => {
    expect(parseMaxErrors(undefined)).toBeNull();
    expect(parseMaxErrors({})).toBeNull();
    expect(parseMaxErrors({ max_errors: null })).toBeNull();
  });

  it.each<[unknown, number]>([
    [0, 0],
    [5, 5],
    ['0', 0],
    ['250', 250],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ])('reads %p as %p', (given, expected) => {
    expect(parseMaxErrors({ max_errors: given })).toBe(expected);
  });

  it.each<[unknown, string]>([
    [-1, '-1'],
    [1.5, '1.5'],
    ['ten', '"ten"'],
    ['-3', '"-3"'],
    ['1e3', '"1e3"'],
    [' 4', '" 4"'],
    [true, 'true'],
    [{}, '{}'],
    [[3], '[3]'],
    [2 ** 60, String(2 ** 60)],
  ])('refuses %p with a sentence naming the value', (given, shown) => {
    let err: unknown;
    try {
      parseMaxErrors({ max_errors: given });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FerryError);
    const message = `metadata.max_errors must be a whole number of 0 or more, not ${shown}`;
    expect((err as FerryError).message).toBe(message);
    expect((err as FerryError).details).toEqual({ fields: { 'metadata.max_errors': [message] } });
  });
});
