import { STATUS_CODES } from 'http';

import { FerryError } from '@ferry/contracts';

/** Statuses after which the same request may succeed later. */
const RETRYABLE_STATUSES = new Set([408, 425, 429]);

/** `file_url <url> returned HTTP 404 Not Found`, retryable for 5xx, 408 and 429. */
export function httpStatusError(status: number, redacted: string): FerryError {
  const reason = STATUS_CODES[status];
  const message = `file_url ${redacted} returned HTTP ${status}${reason ? ` ${reason}` : ''}`;
  const details = { url: redacted, http_status: status };
  return status >= 500 || RETRYABLE_STATUSES.has(status)
    ? FerryError.transient(message, details)
    : FerryError.validation(message, details);
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns a socket, DNS or TLS error into a FerryError a user can act on. Network trouble is
 * transient; a host that does not exist or a certificate that is not valid is not.
 */
export function networkError(err: unknown, redacted: string, host: string): FerryError {
  if (err instanceof FerryError) return err;
  const code = errnoCode(err);
  const details = { url: redacted, cause: code ?? String(err) };
  switch (code) {
    case 'ECONNREFUSED':
      return FerryError.transient(
        `could not connect to ${host} to read file_url ${redacted}: connection refused`,
        details,
      );
    case 'ECONNRESET':
    case 'ECONNABORTED':
    case 'EPIPE':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return FerryError.transient(
        `the connection to ${host} broke while reading file_url ${redacted}`,
        details,
      );
    case 'ENOTFOUND':
      return FerryError.validation(
        `the host ${host} of file_url ${redacted} was not found`,
        details,
      );
    default:
      break;
  }
  if (code && TRANSIENT_CODES.has(code)) {
    return FerryError.transient(
      `could not read file_url ${redacted} from ${host} (${code})`,
      details,
    );
  }
  if (code && (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL'))) {
    return FerryError.validation(
      `the TLS certificate of ${host} is not valid for file_url ${redacted} (${code})`,
      details,
    );
  }
  const text = err instanceof Error ? err.message : String(err);
  return FerryError.transient(`could not read file_url ${redacted}: ${text}`, details);
}
