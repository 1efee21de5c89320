import { ErrorCode } from './error-codes';
import { FerryError, isRetryable } from './ferry.error';

describe('FerryError', () => {
  it('maps each factory to its code, HTTP status and retryability', () => {
    const cases: Array<[FerryError, ErrorCode, number, boolean]> = [
      [FerryError.validation('bad'), ErrorCode.VALIDATION, 400, false],
      [FerryError.notFound('task', 'task_1'), ErrorCode.NOT_FOUND, 404, false],
      [FerryError.unauthenticated('no key'), ErrorCode.PERMISSION_DENIED, 401, false],
      [FerryError.forbidden('no'), ErrorCode.PERMISSION_DENIED, 403, false],
      [FerryError.transient('later'), ErrorCode.SERVICE_UNAVAILABLE, 503, true],
    ];
    for (const [err, code, status, retryable] of cases) {
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe('FerryError');
      expect([err.code, err.httpStatus, err.retryable]).toEqual([code, status, retryable]);
      expect(err.toBody()).toMatchObject({
        code,
        message: err.message,
        http_status_code: status,
        details: err.details,
      });
    }
  });

  it('names what was not found', () => {
    const err = FerryError.notFound('task', 'task_1');
    expect(err.message).toBe('task task_1 was not found');
    expect(err.details).toEqual({ id: 'task_1' });
  });
});

describe('isRetryable', () => {
  it('follows a FerryError', () => {
    expect(isRetryable(FerryError.transient('db down'))).toBe(true);
    expect(isRetryable(FerryError.validation('bad file'))).toBe(false);
    expect(isRetryable(new FerryError(ErrorCode.INTERNAL, 'x'))).toBe(false);
  });

  it('treats anything else (driver errors, timeouts, non-errors) as transient', () => {
    expect(isRetryable(new Error('ECONNRESET'))).toBe(true);
    expect(isRetryable(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }))).toBe(true);
    expect(isRetryable('string')).toBe(true);
    expect(isRetryable(undefined)).toBe(true);
  });
});
