import * as http from 'http';
import { type AddressInfo, Socket } from 'net';
import { type Readable } from 'stream';

import { FerryError } from '@ferry/contracts';

import { putFileToUrl } from '../storage/http-put.destination';
import { FetchAllowList } from './fetch-allow-list';
import { connectedAddressProblem, type HostLookup } from './host.resolver';
import { openHttpSource } from './http.source';

async function failure(promise: Promise<unknown>): Promise<FerryError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FerryError);
  return err as FerryError;
}

async function listen(handler: http.RequestListener): Promise<[http.Server, number]> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return [server, (server.address() as AddressInfo).port];
}

/** The guard as an operator sets it up: one allowed loopback port, a canary on another. */
describe('SSRF guard', () => {
  let files: http.Server;
  let canary: http.Server;
  let port: number;
  let canaryPort: number;
  let canaryHits = 0;
  let policy: { allowList: FetchAllowList; allowHttp: boolean };

  beforeAll(async () => {
    [canary, canaryPort] = await listen((_req, res) => res.end('secret'));
    canary.on('connection', () => canaryHits++);
    [files, port] = await listen((req, res) => {
      if (req.url === '/to-canary') {
        res.writeHead(302, { location: `http://127.0.0.1:${canaryPort}/secret` }).end();
      } else if (req.url === '/to-mapped') {
        res.writeHead(302, { location: `http://[::ffff:127.0.0.1]:${canaryPort}/` }).end();
      } else if (req.url === '/drip') {
        res.writeHead(200);
        const timer = setInterval(() => res.write('x'), 20);
        res.on('close', () => clearInterval(timer));
      } else {
        req.resume();
        req.on('end', () => res.end('a,b\n1,2\n'));
      }
    });
    policy = { allowList: FetchAllowList.parse(`127.0.0.1:${port}`), allowHttp: true };
  });

  afterAll(async () => {
    files.closeAllConnections();
    await new Promise((r) => files.close(r));
    await new Promise((r) => canary.close(r));
    expect(canaryHits).toBe(0); // no request ever escaped the guard
  });

  afterEach(() => jest.restoreAllMocks());

  it('fetches from an allowed host and port', async () => {
    const { stream } = await openHttpSource(`http://127.0.0.1:${port}/ok`, policy);
    let text = '';
    for await (const c of stream as Readable) text += String(c);
    expect(text).toBe('a,b\n1,2\n');
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254, a metadata address/],
    ['http://[fd00:ec2::254]/', /a metadata address/],
    ['http://[::ffff:169.254.169.254]/', /::ffff:a9fe:a9fe, a metadata address/],
    ['http://10.0.0.1/file.csv', /10\.0\.0\.1, a private address/],
    ['http://100.64.1.1/', /a private address/],
    ['http://[fd12::1]/', /a private address/],
    ['http://0.0.0.0:1/', /an? unspecified address|0\.0\.0\.0, a unspecified address/],
    ['http://2130706433/', /127\.0\.0\.1, a loopback address/],
    ['http://0x7f.1/', /127\.0\.0\.1, a loopback address/],
    ['http://[::1]/', /::1, a loopback address/],
    ['http://224.0.0.1/', /a reserved address/],
    [`http://127.0.0.1:${1}/`, /127\.0\.0\.1, a loopback address/],
  ])('refuses %s before opening any socket', async (url, why) => {
    const connect = jest.spyOn(Socket.prototype, 'connect');
    const err = await failure(openHttpSource(url, policy));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(why);
    expect(connect).not.toHaveBeenCalled();
  });

  it('refuses a name that resolves to a denied address (or to several, one denied) before any socket', async () => {
    const connect = jest.spyOn(Socket.prototype, 'connect');
    const answers: Record<string, string[]> = {
      'evil.test': ['10.1.2.3'],
      'meta.test': ['169.254.169.254'],
      'mixed.test': ['127.0.0.1', '192.168.1.1'],
      'mapped.test': ['::ffff:10.0.0.1'],
    };
    const lookup: HostLookup = async (name) =>
      answers[name].map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    for (const [name, [first]] of Object.entries(answers)) {
      const err = await failure(openHttpSource(`http://${name}:${port}/x`, { ...policy, lookup }));
      expect(err.message).toContain(`points to ${name} (`);
      if (name !== 'mixed.test') expect(err.message).toContain(first);
    }
    expect(connect).not.toHaveBeenCalled();
  });

  it('re-checks a redirect: an uncovered loopback port is refused, also when written as IPv4-mapped IPv6', async () => {
    for (const path of ['/to-canary', '/to-mapped']) {
      const err = await failure(openHttpSource(`http://127.0.0.1:${port}${path}`, policy));
      expect(err.message).toMatch(/a loopback address, which Ferry does not fetch from/);
    }
  });

  it('refuses http:// unless allowed, and credentials in the URL (without repeating them)', async () => {
    const connect = jest.spyOn(Socket.prototype, 'connect');
    const plain = await failure(
      openHttpSource(`http://127.0.0.1:${port}/ok`, { allowList: policy.allowList }),
    );
    expect(plain.message).toMatch(/scheme "http"; only https can be fetched .*FERRY_ALLOW_HTTP/);
    const creds = await failure(
      openHttpSource(`https://admin:hunter2@files.example/x.csv?sig=abc`, policy),
    );
    expect(creds.message).toBe(
      'file_url https://files.example/x.csv?<redacted> carries a user name or password, which Ferry refuses to send; use a presigned URL instead',
    );
    for (const scheme of ['file:///etc/passwd', 'ftp://files.example/x.csv', 'gopher://x/']) {
      expect((await failure(openHttpSource(scheme, policy))).message).toMatch(/uses the scheme/);
    }
    expect(connect).not.toHaveBeenCalled();
  });

  it('ends a download that takes longer than the total time allowed', async () => {
    const { stream } = await openHttpSource(`http://127.0.0.1:${port}/drip`, {
      ...policy,
      idleTimeoutMs: 1000,
      totalTimeoutMs: 200,
    });
    const err = await failure(
      (async () => {
        for await (const _ of stream) void _;
      })(),
    );
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/longer than the 200 ms allowed .*FERRY_DOWNLOAD_TIMEOUT_MS/);
  });

  it('refuses a socket connected to another address than the one checked', () => {
    const url = new URL('http://files.test/x');
    const resolved = { address: '127.0.0.1', family: 4 };
    expect(
      connectedAddressProblem('127.0.0.1', resolved, { allowLoopback: true }, url, 'u'),
    ).toBeNull();
    expect(
      connectedAddressProblem('::ffff:127.0.0.1', resolved, { allowLoopback: true }, url, 'u'),
    ).toBeNull();
    expect(
      connectedAddressProblem('10.0.0.1', resolved, { allowLoopback: true }, url, 'u')?.message,
    ).toMatch(/files\.test \(connected to 10\.0\.0\.1\)/);
  });

  it('guards an export PUT the same way', async () => {
    const file = __filename;
    const opts = { ...policy, contentType: 'text/csv' };
    await expect(putFileToUrl(`http://127.0.0.1:${port}/up`, file, 10, opts))
      .rejects.toThrow(/./)
      .catch(() => undefined);
    const denied = await failure(putFileToUrl(`http://127.0.0.1:${canaryPort}/up`, file, 1, opts));
    expect(denied.message).toMatch(/a loopback address/);
    const creds = await failure(putFileToUrl(`https://u:p@files.example/up`, file, 1, opts));
    expect(creds.message).toMatch(/carries a user name or password/);
    const meta = await failure(putFileToUrl('http://169.254.169.254/up', file, 1, opts));
    expect(meta.message).toMatch(/a metadata address/);
  });
});
