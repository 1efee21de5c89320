const MAX_ERROR_HEADER_BYTES = 1024;

/**
 * Turns whatever a handler rejected with into an Error. Nest's default RPC exception filter
 * replaces unknown errors by `{ status: 'error', message }`, so plain objects are common here.
 */
export function toError(err: unknown): Error {
  if (err instanceof Error) return err;
  if (typeof err === 'object' && err !== null && 'message' in err) {
    return new Error(String((err as { message: unknown }).message));
  }
  return new Error(typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err)));
}

/** True for the object Nest's BaseRpcExceptionFilter throws in place of the real error. */
export function isNestGenericRpcError(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    !(err instanceof Error) &&
    (err as { status?: unknown }).status === 'error'
  );
}

/**
 * A NATS header value: one line (CR/LF would end the header block) and at most 1 KB of UTF-8,
 * cut on a character boundary.
 */
export function headerValue(text: string, maxBytes = MAX_ERROR_HEADER_BYTES): string {
  const oneLine = text.replace(/[\r\n]+/g, ' ');
  const bytes = Buffer.from(oneLine, 'utf8');
  if (bytes.length <= maxBytes) return oneLine;
  let end = maxBytes;
  // Step back over UTF-8 continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
