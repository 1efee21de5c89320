/** API error codes (docs/API.md §1) and the HTTP status each one maps to. */
export enum ErrorCode {
  VALIDATION = 'validation_error',
  INVALID_OPERATION = 'invalid_operation',
  PERMISSION_DENIED = 'permission_denied',
  NOT_FOUND = 'not_found',
  ALREADY_EXISTS = 'already_exists',
  VERSION_CONFLICT = 'version_conflict',
  TOO_MANY_REQUESTS = 'too_many_requests',
  INTERNAL = 'internal_error',
  SERVICE_UNAVAILABLE = 'service_unavailable',
}

export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  [ErrorCode.VALIDATION]: 400,
  [ErrorCode.INVALID_OPERATION]: 400,
  [ErrorCode.PERMISSION_DENIED]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.ALREADY_EXISTS]: 409,
  [ErrorCode.VERSION_CONFLICT]: 409,
  [ErrorCode.TOO_MANY_REQUESTS]: 429,
  [ErrorCode.INTERNAL]: 500,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
};

/**
 * The one error body of every endpoint: docs/API.md §1's fields, plus Flexprice's own envelope
 * (`success: false`, `error: {message, internal_error}` — here the code), which its published SDK requires in order to read an error
 * as an error (without them it reports a response validation failure instead of the message).
 */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  http_status_code: number;
  details: Record<string, unknown>;
  success: false;
  error: { message: string; internal_error: string };
}

/** Row-level error codes, as they appear in `/errors` and `error_summary`. */
export enum RowErrorCode {
  REQUIRED = 'required',
  INVALID_VALUE = 'invalid_value',
  TOO_LONG = 'too_long',
  ALREADY_EXISTS = 'already_exists',
  NOT_FOUND = 'not_found',
  ROW_TOO_LARGE = 'row_too_large',
  MALFORMED_ROW = 'malformed_row',
}
