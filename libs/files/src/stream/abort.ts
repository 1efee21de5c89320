/** The error to fail with when `signal` aborts: its reason when that is an Error, else an AbortError. */
export function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('reading the file was aborted');
  err.name = 'AbortError';
  return err;
}
