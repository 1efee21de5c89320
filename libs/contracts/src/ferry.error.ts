import { type ErrorBody, ErrorCode, HTTP_STATUS_BY_CODE } from './error-codes';

/**
 * The domain exception. The gateway maps it to the error body; workers map `retryable` to
 * nak (try again later) versus term + dead letter (no later delivery can succeed).
 */
export class FerryError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** Overrides the code's usual status, e.g. 401 for a missing key. */
    readonly httpStatus: number = HTTP_STATUS_BY_CODE[code],
    /** True when the same work may succeed on a later attempt (network, database down). */
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'FerryError';
  }

  toBody(): ErrorBody {
    return {
      code: this.code,
      message: this.message,
      http_status_code: this.httpStatus,
      details: this.details,
      success: false,
      error: { message: this.message, internal_error: this.code },
    };
  }

  static notFound(what: string, id: string): FerryError {
    return new FerryError(ErrorCode.NOT_FOUND, `${what} ${id} was not found`, { id });
  }

  static validation(message: string, details: Record<string, unknown> = {}): FerryError {
    return new FerryError(ErrorCode.VALIDATION, message, details);
  }

  static unauthenticated(message: string): FerryError {
    return new FerryError(ErrorCode.PERMISSION_DENIED, message, {}, 401);
  }

  static forbidden(message: string, details: Record<string, unknown> = {}): FerryError {
    return new FerryError(ErrorCode.PERMISSION_DENIED, message, details, 403);
  }

  /** A problem that a later attempt may not have (network, database, broker). */
  static transient(message: string, details: Record<string, unknown> = {}): FerryError {
    return new FerryError(ErrorCode.SERVICE_UNAVAILABLE, message, details, 503, true);
  }
}

/** True when a worker should retry the work later rather than give up on it. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof FerryError) return err.retryable;
  // Unknown errors (driver errors, timeouts) are assumed transient; max_deliver bounds them.
  return true;
}
