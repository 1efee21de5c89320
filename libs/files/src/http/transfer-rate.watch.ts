import type { Readable } from 'stream';

/** A floor on a download's speed, as curl's `--speed-limit` over `--speed-time`. */
export interface MinTransferRate {
  /** Bytes per second the source must average over each window (0: no floor). */
  bytesPerSecond: number;
  /** The window, in ms. */
  windowMs: number;
}

/**
 * Watches a response body and calls `onSlow` once when, over a whole window, the server sent
 * fewer than `bytesPerSecond × windowMs / 1000` bytes. A window in which the reader was the slow
 * side (backpressure paused the body: the database, not the source, was busy) does not count.
 * The idle timeout only catches a source that sends nothing; this catches one that sends a byte
 * now and then and would otherwise hold an import slot until the download limit (issue 16).
 * Returns the stop.
 */
export function watchTransferRate(
  body: Readable,
  rate: MinTransferRate,
  onSlow: (received: number) => void,
): () => void {
  if (rate.bytesPerSecond <= 0 || rate.windowMs <= 0) return () => undefined;
  const floor = (rate.bytesPerSecond * rate.windowMs) / 1000;
  let received = 0;
  let paused = false;
  const onData = (chunk: Buffer | string): void => {
    received += chunk.length;
  };
  const onPause = (): void => {
    paused = true;
  };
  body.on('data', onData);
  body.on('pause', onPause);
  const timer = setInterval(() => {
    const slow = received < floor && !paused && !body.isPaused();
    const got = received;
    received = 0;
    paused = false;
    if (slow) {
      stop();
      onSlow(got);
    }
  }, rate.windowMs);
  timer.unref();
  const stop = (): void => {
    clearInterval(timer);
    body.off('data', onData);
    body.off('pause', onPause);
  };
  body.once('close', stop);
  body.once('end', stop);
  return stop;
}
