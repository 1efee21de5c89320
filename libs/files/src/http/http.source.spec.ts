import * as http from 'http';
import { type AddressInfo, Socket } from 'net';
import { type Readable } from 'stream';

import { FerryError } from '@ferry/contracts';

import { type HostLookup } from './host.resolver';
import { openHttpSource } from './http.source';

async function readBody(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function failure(promise: Promise<unknown>): Promise<FerryError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FerryError);
  return err as FerryError;
}

describe('openHttpSource', () => {
  let server: http.Server;
  let base: string;
  let port: number;
  const openSockets = new Set<Socket>();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      switch (path) {
        case '/ok':
          res.writeHead(200, { 'content-type': 'text/csv' });
          res.write('a,b\n');
          setTimeout(() => res.end('1,2\n'), 20);
          return;
        case '/sized':
          res.writeHead(200, { 'content-length': '8' });
          res.end('a,b\n1,2\n');
          return;
        case '/host':
          res.end(req.headers.host);
          return;
        case '/missing':
          res.writeHead(404).end('nope');
          return;
        case '/gone':
          res.writeHead(410).end();
          return;
        case '/boom':
          res.writeHead(500).end();
          return;
        case '/busy':
          res.writeHead(429).end();
          return;
        case '/redirect':
          res.writeHead(302, { location: '/ok' }).end();
          return;
        case '/loop':
          res.writeHead(302, { location: '/loop' }).end();
          return;
        case '/to-ftp':
          res.writeHead(301, { location: 'ftp://example.com/file.csv' }).end();
          return;
        case '/to-internal':
          res.writeHead(307, { location: 'http://internal.test/file.csv' }).end();
          return;
        case '/stall':
          res.writeHead(200);
          res.write('a,b\n');
          return; // never ends
        case '/big-declared':
          res.writeHead(200, { 'content-length': String(10_000) });
          res.end('x'.repeat(10_000));
          return;
        case '/big-chunked':
          res.writeHead(200);
          for (let i = 0; i < 20; i++) res.write('y'.repeat(1000));
          res.end();
          return;
        case '/large': {
          res.writeHead(200);
          const piece = 'z'.repeat(64 * 1024);
          let sent = 0;
          const pump = (): void => {
            while (sent < 160) {
              sent++;
              if (!res.write(piece)) {
                res.once('drain', pump);
                return;
              }
            }
            res.end();
          };
          pump();
          return;
        }
        case '/trickle': {
          // One byte every 30 ms: never silent for long, but ~33 bytes/s.
          res.writeHead(200);
          const timer = setInterval(() => res.write('x'), 30);
          res.on('close', () => clearInterval(timer));
          return;
        }
        case '/reset':
          res.writeHead(200, { 'content-length': '100000' });
          res.write('a,b\n');
          setTimeout(() => req.socket.destroy(), 20);
          return;
        default:
          res.writeHead(400).end();
      }
    });
    server.on('connection', (s) => {
      openSockets.add(s);
      s.on('close', () => openSockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    for (const s of openSockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  afterEach(() => jest.restoreAllMocks());

  const local = { allowLoopback: true, allowHttp: true };

  it('streams a 200 body', async () => {
    const { stream, contentLength } = await openHttpSource(`${base}/ok`, local);
    expect(contentLength).toBeNull();
    expect(await readBody(stream)).toBe('a,b\n1,2\n');
  });

  it('reports the declared length', async () => {
    const { stream, contentLength } = await openHttpSource(`${base}/sized`, local);
    expect(contentLength).toBe(8);
    expect(await readBody(stream)).toBe('a,b\n1,2\n');
  });

  it('turns 404 into a non-retryable error that names the status and hides the query string', async () => {
    const err = await failure(openHttpSource(`${base}/missing?X-Amz-Signature=s3cr3t`, local));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(`file_url ${base}/missing?<redacted> returned HTTP 404 Not Found`);
    expect(JSON.stringify(err.details)).not.toContain('s3cr3t');
  });

  it('treats 410 as final and 500 and 429 as transient', async () => {
    expect((await failure(openHttpSource(`${base}/gone`, local))).retryable).toBe(false);
    const boom = await failure(openHttpSource(`${base}/boom`, local));
    expect(boom.retryable).toBe(true);
    expect(boom.message).toMatch(/returned HTTP 500 Internal Server Error/);
    expect((await failure(openHttpSource(`${base}/busy`, local))).retryable).toBe(true);
  });

  it('follows redirects', async () => {
    const { stream } = await openHttpSource(`${base}/redirect`, local);
    expect(await readBody(stream)).toBe('a,b\n1,2\n');
  });

  it('gives up after 5 redirects', async () => {
    const err = await failure(openHttpSource(`${base}/loop`, local));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/redirected more than 5 times/);
  });

  it('refuses a redirect to another scheme', async () => {
    const err = await failure(openHttpSource(`${base}/to-ftp`, local));
    expect(err.message).toMatch(/scheme "ftp"; only https and http can be fetched/);
  });

  it('refuses schemes other than http and https', async () => {
    const err = await failure(openHttpSource('file:///etc/passwd', local));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/scheme "file"/);
  });

  it('refuses loopback addresses unless allowed', async () => {
    const connect = jest.spyOn(Socket.prototype, 'connect');
    const err = await failure(openHttpSource(`${base}/ok`, { allowHttp: true }));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/127\.0\.0\.1, a loopback address/);
    expect(connect).not.toHaveBeenCalled();
  });

  it('refuses a host that resolves to a private address before opening any socket', async () => {
    const connect = jest.spyOn(Socket.prototype, 'connect');
    const lookup: HostLookup = jest.fn(async () => [{ address: '10.0.0.1', family: 4 }]);
    const err = await failure(
      openHttpSource('http://evil.test/file.csv', { lookup, allowLoopback: true, allowHttp: true }),
    );
    expect(err.message).toBe(
      'file_url http://evil.test/file.csv points to evil.test (10.0.0.1), a private address, which Ferry does not fetch from (an operator can allow it with FERRY_FETCH_ALLOW_LIST)',
    );
    expect(connect).not.toHaveBeenCalled();
  });

  it('refuses metadata and link-local addresses even when private ones are allowed', async () => {
    const lookup: HostLookup = async () => [{ address: '169.254.169.254', family: 4 }];
    const err = await failure(
      openHttpSource('http://metadata.test/', { lookup, allowPrivate: true, allowHttp: true }),
    );
    expect(err.message).toMatch(/a metadata address, which Ferry does not fetch from$/);
  });

  it('re-checks the address on every redirect', async () => {
    const connect = jest.spyOn(Socket.prototype, 'connect');
    const lookup: HostLookup = async () => [{ address: '10.1.2.3', family: 4 }];
    const err = await failure(
      openHttpSource(`${base}/to-internal`, { lookup, allowLoopback: true, allowHttp: true }),
    );
    expect(err.message).toMatch(/internal\.test \(10\.1\.2\.3\), a private address/);
    expect(connect).toHaveBeenCalledTimes(1); // the first hop, to 127.0.0.1 only
  });

  it('connects to the address it checked, whatever DNS says afterwards', async () => {
    const answers = ['127.0.0.1', '10.9.9.9'];
    const lookup = jest.fn<ReturnType<HostLookup>, Parameters<HostLookup>>(async () => [
      { address: answers.shift() ?? '10.9.9.9', family: 4 },
    ]);
    const { stream } = await openHttpSource(`http://files.test:${port}/host`, {
      lookup,
      allowLoopback: true,
      allowHttp: true,
    });
    expect(await readBody(stream)).toBe(`files.test:${port}`);
    expect(lookup).toHaveBeenCalledTimes(1);
  });

  it('fails with a transient error when the server stops sending', async () => {
    const { stream } = await openHttpSource(`${base}/stall`, { ...local, idleTimeoutMs: 150 });
    const err = await failure(readBody(stream));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/sent no data for 150 ms/);
  });

  it('does not time out while the reader is the slow side', async () => {
    const { stream } = await openHttpSource(`${base}/large`, { ...local, idleTimeoutMs: 100 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await readBody(stream)).length).toBe(160 * 64 * 1024);
  });

  it('fails a source that trickles below the minimum transfer rate, naming the settings', async () => {
    const { stream } = await openHttpSource(`${base}/trickle`, {
      ...local,
      idleTimeoutMs: 1_000,
      minTransferRate: { bytesPerSecond: 1_000, windowMs: 300 },
    });
    const t0 = Date.now();
    const err = await failure(readBody(stream));
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(
      /slower than the minimum of 1000 bytes\/s over 300 ms \(FERRY_MIN_TRANSFER_BYTES_PER_S, FERRY_MIN_TRANSFER_WINDOW_MS\)/,
    );
  });

  it('does not count windows in which the reader was the slow side against the rate', async () => {
    const { stream } = await openHttpSource(`${base}/large`, {
      ...local,
      // 1 MiB/s: nothing moves while the reader sleeps (those windows would fail if counted);
      // once it reads, loopback moves the body far faster, even on a busy machine.
      minTransferRate: { bytesPerSecond: 1024 * 1024, windowMs: 100 },
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await readBody(stream)).length).toBe(160 * 64 * 1024);
  });

  it('refuses a body whose declared length is over maxBytes', async () => {
    const err = await failure(openHttpSource(`${base}/big-declared`, { ...local, maxBytes: 5000 }));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/is 10000 bytes, more than the limit of 5000 bytes/);
  });

  it('stops a body that streams past maxBytes', async () => {
    const { stream } = await openHttpSource(`${base}/big-chunked`, { ...local, maxBytes: 5000 });
    const err = await failure(readBody(stream));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/larger than the limit of 5000 bytes/);
  });

  it('turns a connection reset mid-body into a transient error', async () => {
    const { stream } = await openHttpSource(`${base}/reset`, local);
    const err = await failure(readBody(stream));
    expect(err.retryable).toBe(true);
  });

  it('turns a refused connection into a transient error', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await failure(openHttpSource(`http://127.0.0.1:${deadPort}/x`, local));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/connection refused/);
  });

  it('aborts a body being read when the signal fires', async () => {
    const controller = new AbortController();
    const { stream } = await openHttpSource(`${base}/stall`, {
      ...local,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('task cancelled')), 30);
    await expect(readBody(stream)).rejects.toThrow('task cancelled');
  });
});
