import { Transform, type TransformCallback } from 'stream';

/**
 * Passes bytes through and fails with `tooLarge()` once more than `maxBytes` went by, so a file
 * (or a decompressed file) can never take more than its limit however the server behaves.
 */
export class ByteLimitTransform extends Transform {
  private seen = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly tooLarge: () => Error,
  ) {
    super();
  }

  get bytesSeen(): number {
    return this.seen;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.maxBytes) {
      callback(this.tooLarge());
      return;
    }
    callback(null, chunk);
  }
}
