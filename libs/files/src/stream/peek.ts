import { Readable } from 'stream';

/**
 * Reads at least `n` bytes (fewer only at the end of the stream) without consuming them: the
 * bytes are put back with `unshift`, so the stream still yields everything from its first byte.
 * Returns the stream to read from next (a fresh one when the source had already ended).
 */
export function peekBytes(
  stream: Readable,
  n: number,
): Promise<{ head: Buffer; stream: Readable }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const cleanup = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const finish = (ended: boolean): void => {
      cleanup();
      const head = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      if (ended) {
        resolve({ head, stream: Readable.from(head.length ? [head] : [], { objectMode: false }) });
        return;
      }
      stream.unshift(head);
      resolve({ head, stream });
    };
    function onReadable(): void {
      let chunk: Buffer | null;
      while ((chunk = stream.read() as Buffer | null) !== null) {
        chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        length += chunk.length;
        if (length >= n) {
          finish(false);
          return;
        }
      }
    }
    function onEnd(): void {
      finish(true);
    }
    function onError(err: Error): void {
      cleanup();
      reject(err);
    }
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
