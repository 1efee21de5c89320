import { createHash, randomBytes } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer, type Server } from 'http';
import { tmpdir } from 'os';
import path from 'path';
import { Readable } from 'stream';

import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { AddressInfo } from 'net';

import { FerryError } from '@ferry/contracts';

import { type S3TestServer, startS3TestServer } from '../testing/s3.test-server';
import { putFileToUrl } from './http-put.destination';
import { NatsObjectStorage } from './nats-object.storage';
import type { ObjectStorage } from './object-storage';
import { S3ObjectStorage } from './s3-object.storage';

const NATS_URL = process.env['FERRY_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** A body that arrives in many small chunks, as an export writes it. */
function chunked(data: Buffer, size = 64 * 1024): Readable {
  let at = 0;
  return new Readable({
    read() {
      if (at >= data.length) return this.push(null);
      this.push(data.subarray(at, (at += size)));
    },
  });
}

describe('object storage backends', () => {
  let nc: NatsConnection;
  let s3server: S3TestServer;
  const prefix = `ut${randomBytes(4).toString('hex')}`;
  const backends: Record<string, ObjectStorage> = {};

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL });
    s3server = await startS3TestServer(['exports']);
    backends['store'] = new NatsObjectStorage(nc, { bucketPrefix: prefix, nativeDigest: false });
    backends['s3'] = new S3ObjectStorage({
      endpoint: s3server.endpoint,
      region: 'us-east-1',
      accessKeyId: s3server.accessKeyId,
      secretAccessKey: s3server.secretAccessKey,
      forcePathStyle: true,
    });
  });

  afterAll(async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(`OBJ_${prefix}_exports`).catch(() => undefined);
    await nc.close();
    await s3server.stop();
  });

  it.each(['store', 's3'])('%s: streams a 9 MB object in and out unchanged', async (scheme) => {
    const data = randomBytes(9 * 1024 * 1024 + 17);
    const stored = await backends[scheme].put('exports', 'a/big.bin', chunked(data), {
      contentType: 'application/octet-stream',
    });
    expect(stored.size).toBe(data.length);
    const back = await readAll(await backends[scheme].get('exports', 'a/big.bin'));
    expect(createHash('sha256').update(back).digest('hex')).toBe(
      createHash('sha256').update(data).digest('hex'),
    );
  });

  it.each(['store', 's3'])('%s: an empty object and a replaced one', async (scheme) => {
    const b = backends[scheme];
    await b.put('exports', 'empty.csv', Readable.from([]), { contentType: 'text/csv' });
    expect((await readAll(await b.get('exports', 'empty.csv'))).length).toBe(0);
    await b.put('exports', 'r.csv', Readable.from([Buffer.from('one')]), {
      contentType: 'text/csv',
    });
    await b.put('exports', 'r.csv', Readable.from([Buffer.from('two')]), {
      contentType: 'text/csv',
    });
    expect((await readAll(await b.get('exports', 'r.csv'))).toString()).toBe('two');
  });

  it.each(['store', 's3'])('%s: a missing object is a non-retryable FerryError', async (scheme) => {
    const err: unknown = await backends[scheme].get('exports', 'nope.csv').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).retryable).toBe(false);
    expect((err as FerryError).message).toMatch(/nope\.csv/);
  });

  it('s3: a presigned GET serves the object to a plain HTTP client', async () => {
    const s3 = backends['s3'] as S3ObjectStorage;
    await s3.put('exports', 'p.csv', Readable.from([Buffer.from('a,b\n1,2\n')]), {
      contentType: 'text/csv',
    });
    const url = await s3.presignGet('exports', 'p.csv', 60);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('a,b\n1,2\n');
    await expect(s3.presignGet('exports', 'missing.csv', 60)).rejects.toThrow(/no such object/);
  });

  describe('putFileToUrl', () => {
    let server: Server;
    let received: { method?: string; length?: string; body: string }[];
    let dir: string;
    let port: number;

    beforeAll(async () => {
      received = [];
      dir = mkdtempSync(path.join(tmpdir(), 'ferry-put-'));
      server = createServer((req, res) => {
        const parts: Buffer[] = [];
        req.on('data', (c: Buffer) => parts.push(c));
        req.on('end', () => {
          received.push({
            method: req.method,
            length: req.headers['content-length'],
            body: Buffer.concat(parts).toString(),
          });
          res.statusCode = req.url === '/denied' ? 403 : 200;
          res.end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });

    afterAll(async () => {
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    });

    it('PUTs the file with its Content-Length', async () => {
      const file = path.join(dir, 'x.csv');
      writeFileSync(file, 'h\n1\n');
      await putFileToUrl(`http://127.0.0.1:${port}/ok?X-Amz-Signature=abc`, file, 4, {
        contentType: 'text/csv',
        allowLoopback: true,
        allowHttp: true,
      });
      expect(received.at(-1)).toEqual({ method: 'PUT', length: '4', body: 'h\n1\n' });
    });

    it('refuses a loopback destination unless allowed, and reports a refused PUT', async () => {
      const file = path.join(dir, 'y.csv');
      writeFileSync(file, 'h\n');
      await expect(
        putFileToUrl(`http://127.0.0.1:${port}/ok`, file, 2, {
          contentType: 'text/csv',
          allowHttp: true,
        }),
      ).rejects.toThrow(/loopback address/);
      await expect(
        putFileToUrl(`http://127.0.0.1:${port}/denied`, file, 2, {
          contentType: 'text/csv',
          allowLoopback: true,
          allowHttp: true,
        }),
      ).rejects.toThrow(/HTTP 403/);
    });
  });
});
