import { FerryError } from '@ferry/contracts';

import { RowErrorBudget } from './row-error.budget';

describe('RowErrorBudget', () => {
  it('takes metadata.max_errors, else the default, and fails one row past it', () => {
    const own = RowErrorBudget.forTask({ max_errors: 2 }, 100);
    expect(own.exceededBy(2)).toBe(false);
    expect(() => own.check(3)).toThrow(
      'the import stopped after 3 rejected rows, more than the 2 allowed (metadata.max_errors); the rejected rows are listed by GET /v1/tasks/{id}/errors',
    );
    expect(RowErrorBudget.forTask({ max_errors: '0' }, 100).exceededBy(1)).toBe(true);
    const fallback = RowErrorBudget.forTask({}, 5);
    expect(fallback.max).toBe(5);
    expect(() => fallback.check(6)).toThrow(/more than the 5 allowed \(FERRY_MAX_ROW_ERRORS\)/);
  });

  it.each([[-1], [1.5], ['ten'], [true], [{}]])('refuses max_errors %p with a sentence', (v) => {
    const err = (() => {
      try {
        RowErrorBudget.forTask({ max_errors: v }, 5);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).message).toMatch(
      /^metadata.max_errors must be a whole number of 0 or more/,
    );
  });

  it('stops on max_error_ratio only once max_error_ratio_min_rows rows were read', () => {
    const b = RowErrorBudget.forTask({ max_error_ratio: 0.2, max_error_ratio_min_rows: 10 }, 100);
    expect(b.exceededBy(5, 9)).toBe(false); // too few rows to judge
    expect(b.exceededBy(2, 10)).toBe(false); // 20% is allowed
    expect(b.exceededBy(3, 10)).toBe(true);
    expect(() => b.check(3, 10)).toThrow(
      'the import stopped after 3 rejected rows of 10 read (30.0%), more than the 0.2 allowed by metadata.max_error_ratio; the rejected rows are listed by GET /v1/tasks/{id}/errors',
    );
    expect(() => b.check(4, 100)).not.toThrow();
  });
});
