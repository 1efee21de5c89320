import { FerryError } from '@ferry/contracts';

import { ERRORS_JSON_MAX_LIMIT, pageQuery } from './task-errors.service';

describe('pageQuery (GET /v1/tasks/{id}/errors as JSON pages)', () => {
  it('defaults to 50 rows from the start', () => {
    expect(pageQuery(undefined, undefined)).toEqual({ limit: 50, afterRow: 0 });
    expect(pageQuery('', '')).toEqual({ limit: 50, afterRow: 0 });
  });

  it('takes whole numbers in range', () => {
    expect(pageQuery('1', '0')).toEqual({ limit: 1, afterRow: 0 });
    expect(pageQuery(String(ERRORS_JSON_MAX_LIMIT), '123456')).toEqual({
      limit: ERRORS_JSON_MAX_LIMIT,
      afterRow: 123456,
    });
  });

  it.each([
    ['limit', '0', '0'],
    ['limit', '1001', '0'],
    ['limit', '2.5', '0'],
    ['limit', '-1', '0'],
    ['limit', ['1', '2'], '0'],
    ['after_row', '10', 'x'],
    ['after_row', '10', '-5'],
    ['after_row', '10', '99999999999999999'],
  ])('refuses %s in (limit %j, after_row %j) with a 400 naming it', (name, limit, after) => {
    let error: unknown;
    try {
      pageQuery(limit, after);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FerryError);
    expect((error as FerryError).message).toMatch(new RegExp(`^${name} `));
    expect((error as FerryError).details).toEqual({ fields: { [name]: [expect.any(String)] } });
  });
});
