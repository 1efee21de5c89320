import { Readable } from 'stream';
import { gzipSync } from 'zlib';

import { FerryError } from '@ferry/contracts';

import { decompressIfGzip } from './gzip.decompressor';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function chunked(buf: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts, { objectMode: false });
}

describe('decompressIfGzip', () => {
  const limits = { maxBytes: 1024 * 1024 };

  it('returns plain text unchanged, first bytes included', async () => {
    const text = Buffer.from('a,b\n1,2\n');
    const out = await decompressIfGzip(chunked(text, 1), limits);
    expect((await readAll(out)).equals(text)).toBe(true);
  });

  it.each([[''], ['x'], ['\x1f']])('passes through a tiny file %j', async (content) => {
    const out = await decompressIfGzip(chunked(Buffer.from(content, 'latin1'), 1), limits);
    expect((await readAll(out)).toString('latin1')).toBe(content);
  });

  it('decompresses gzip detected by its magic bytes, even split across chunks', async () => {
    const text = 'a,b\n' + '1,2\n'.repeat(10_000);
    const out = await decompressIfGzip(chunked(gzipSync(text), 1000), limits);
    expect((await readAll(out)).toString()).toBe(text);
  });

  it('decompresses concatenated gzip members', async () => {
    const out = await decompressIfGzip(
      chunked(Buffer.concat([gzipSync('a\n'), gzipSync('b\n')]), 7),
      limits,
    );
    expect((await readAll(out)).toString()).toBe('a\nb\n');
  });

  it('stops a gzip bomb at the decompressed limit', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100 * 1024);
    const out = await decompressIfGzip(chunked(bomb, 16 * 1024), limits);
    const err = await readAll(out).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).retryable).toBe(false);
    expect((err as FerryError).message).toBe(
      'the decompressed file exceeds 1048576 bytes (FERRY_MAX_DECOMPRESSED_BYTES)',
    );
  });

  it('reports a corrupt gzip file', async () => {
    const broken = gzipSync('a,b\n'.repeat(1000));
    const out = await decompressIfGzip(chunked(broken.subarray(0, broken.length / 2), 64), limits);
    await expect(readAll(out)).rejects.toThrow(/not a valid gzip file/);
  });

  it('keeps the source error when the download fails', async () => {
    const source = new Readable({
      read() {
        // Data arrives through push() below.
      },
    });
    source.push(gzipSync('a,b\n'.repeat(10)).subarray(0, 12));
    const out = await decompressIfGzip(source, limits);
    setTimeout(() => source.destroy(FerryError.transient('the connection broke')), 10);
    await expect(readAll(out)).rejects.toThrow('the connection broke');
  });
});
