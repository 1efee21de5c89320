import type { ServerResponse } from 'http';

import { EVENTS_HEADER, eventsCsv } from './events-csv';
import type { HostileCase, Origin } from './hostile-files';

/** Names the importer resolves through FERRY_FETCH_RESOLVE (no DNS: no packet leaves the host). */
export const TEST_NAMES =
  'evil.test=10.0.0.1,meta.test=169.254.169.254,canary.test=127.0.0.1,' +
  'mixed.test=127.0.0.1|192.168.0.1,files.test=127.0.0.1';

/** A raw HTTP response whose Content-Length lies about the body that follows. */
function lying(res: ServerResponse, declared: number, body: string): void {
  res.socket?.end(
    `HTTP/1.1 200 OK\r\nContent-Length: ${declared}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const redirect = (to: (o: Origin) => string) => (o: Origin) =>
  o.handle(`redirect-${Math.random().toString(36).slice(2)}`, (_req, res) => {
    res.writeHead(302, { location: to(o) }).end();
  });

const fail = (re: RegExp) => ({ failed: re });
const GAVE_UP = 'Import gave up after 2 attempts: ';

/** Hostile origins and addresses: every one must end in a sentence, none may reach the canary. */
export function sourceCases(): HostileCase[] {
  const canary = (o: Origin, path = '/secret') => `http://127.0.0.1:${o.canaryPort}${path}`;
  return [
    {
      name: 'a 404 (the signature in the query string is redacted)',
      source: (o) => `${o.failing('gone.csv', 404)}?X-Amz-Signature=SECRET123`,
      expect: fail(
        /^file_url http:\/\/127\.0\.0\.1:\d+\/gone\.csv\?<redacted> returned HTTP 404 Not Found$/,
      ),
    },
    {
      name: 'a 500',
      source: (o) => o.failing('boom.csv', 500),
      expect: fail(new RegExp(`^${GAVE_UP}.*returned HTTP 500`)),
    },
    {
      name: 'a slow drip (a byte every 100 ms, forever)',
      source: (o) =>
        o.handle('drip.csv', (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/csv' });
          res.write(`${EVENTS_HEADER}\n`);
          const t = setInterval(() => res.write('x'), 100);
          res.on('close', () => clearInterval(t));
        }),
      expect: fail(
        /took longer than the 5000 ms allowed for a whole download \(FERRY_DOWNLOAD_TIMEOUT_MS\)/,
      ),
    },
    {
      name: 'a server that stops sending',
      source: (o) =>
        o.handle('stall.csv', (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/csv' });
          res.write(`${EVENTS_HEADER}\n`);
        }),
      expect: fail(new RegExp(`^${GAVE_UP}.*sent no data for 1500 ms \\(FERRY_IDLE_TIMEOUT_MS\\)`)),
    },
    {
      name: 'a never-ending body',
      source: (o) =>
        o.handle('endless.csv', (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/csv' });
          res.write(`${EVENTS_HEADER}\n`);
          const chunk = Buffer.alloc(64 * 1024, 'y');
          const pump = (): void => {
            while (!res.destroyed && res.write(chunk));
            if (!res.destroyed) res.once('drain', pump);
          };
          pump();
        }),
      expect: fail(/is larger than the limit of \d+ bytes \(FERRY_MAX_FILE_BYTES\)/),
    },
    {
      name: 'a declared length over FERRY_MAX_FILE_BYTES',
      source: (o) =>
        o.handle('huge.csv', (_req, res) => lying(res, 30 * 1024 * 1024, 'event_name\n')),
      expect: fail(/is 31457280 bytes, more than the limit of \d+ bytes \(FERRY_MAX_FILE_BYTES\)/),
    },
    {
      name: 'a Content-Length longer than the body',
      source: (o) => o.handle('short.csv', (_req, res) => lying(res, 5000, eventsCsv(3, 'sb'))),
      expect: fail(new RegExp(`^${GAVE_UP}the connection to 127\\.0\\.0\\.1 broke`)),
    },
    {
      name: 'a Content-Length shorter than the body (the header is cut)',
      source: (o) => o.handle('long.csv', (_req, res) => lying(res, 20, eventsCsv(3, 'lb'))),
      expect: fail(/lacks the required columns? /),
    },
    {
      name: 'a redirect loop',
      source: (o) =>
        o.handle('loop.csv', (_req, res) => res.writeHead(302, { location: '/loop.csv' }).end()),
      expect: fail(/redirected more than 5 times/),
    },
    {
      name: 'five redirects, then the file (control)',
      source: (o) => {
        const target = o.add('after-hops.csv', eventsCsv(2, 'hop'));
        let url = target;
        for (let i = 0; i < 5; i++) {
          const to = url;
          url = o.handle(`hop-${i}.csv`, (_req, res) => res.writeHead(307, { location: to }).end());
        }
        return url;
      },
      expect: { completed: [2, 2, 0] },
    },
    {
      name: 'a redirect to an uncovered loopback port',
      source: redirect((o) => canary(o)),
      expect: fail(/127\.0\.0\.1, a loopback address, which Ferry does not fetch from/),
    },
    {
      name: 'a redirect to file://',
      source: redirect(() => 'file:///etc/passwd'),
      expect: fail(/file:\/\/\/etc\/passwd \(redirected from .*\) uses the scheme "file"/),
    },
    {
      name: 'a redirect to the metadata address',
      source: redirect(() => 'http://169.254.169.254/latest/meta-data/'),
      expect: fail(/169\.254\.169\.254, a metadata address/),
    },
    {
      name: 'a redirect to a URL with credentials',
      source: redirect((o) => `http://u:hunter2@127.0.0.1:${o.filesPort}/x.csv`),
      expect: fail(/carries a user name or password/),
    },
    {
      name: 'file://',
      source: () => 'file:///etc/passwd',
      expect: {
        refused: 400,
        message: /file_url must be an http\(s\):\/\/, s3:\/\/ or store:\/\/ URL/,
      },
    },
    {
      name: 'ftp://',
      source: () => 'ftp://files.example.com/events.csv',
      expect: { refused: 400, message: /file_url must be an http\(s\):\/\// },
    },
    {
      name: 'the metadata IP literal',
      source: () => 'http://169.254.169.254/latest/meta-data/iam/',
      expect: fail(/points to 169\.254\.169\.254, a metadata address/),
    },
    {
      name: 'a private IP literal',
      source: () => 'http://10.0.0.1/events.csv',
      expect: fail(/points to 10\.0\.0\.1, a private address/),
    },
    {
      name: 'the IPv6 metadata literal',
      source: () => 'http://[fd00:ec2::254]/',
      expect: fail(/fd00:ec2::254, a metadata address/),
    },
    {
      name: 'an IPv4-mapped IPv6 loopback literal',
      source: (o) => `http://[::ffff:127.0.0.1]:${o.canaryPort}/`,
      expect: fail(/::ffff:7f00:1, a loopback address/),
    },
    {
      name: 'a decimal IPv4 literal (2130706433 = 127.0.0.1)',
      source: (o) => `http://2130706433:${o.canaryPort}/`,
      expect: fail(/127\.0\.0\.1, a loopback address/),
    },
    {
      name: 'the unspecified address',
      source: (o) => `http://0.0.0.0:${o.canaryPort}/`,
      expect: fail(/0\.0\.0\.0, a unspecified address/),
    },
    {
      name: 'an uncovered loopback port',
      source: (o) => canary(o, '/direct.csv'),
      expect: fail(/127\.0\.0\.1, a loopback address/),
    },
    {
      name: 'a name resolving to a private address',
      source: () => 'http://evil.test/events.csv',
      expect: fail(/points to evil\.test \(10\.0\.0\.1\), a private address/),
    },
    {
      name: 'a name resolving to the metadata address',
      source: () => 'http://meta.test/latest/',
      expect: fail(/meta\.test \(169\.254\.169\.254\), a metadata address/),
    },
    {
      name: 'a name resolving to an uncovered loopback port',
      source: (o) => `http://canary.test:${o.canaryPort}/x.csv`,
      expect: fail(/canary\.test \(127\.0\.0\.1\), a loopback address/),
    },
    {
      name: 'a name with two addresses, one private',
      source: (o) => `http://mixed.test:${o.filesPort}/x.csv`,
      expect: fail(/mixed\.test \(192\.168\.0\.1\), a private address/),
    },
    {
      name: 'an allowed name (control)',
      source: (o) => o.add('by-name.csv', eventsCsv(3, 'name')).replace('127.0.0.1', 'files.test'),
      expect: { completed: [3, 3, 0] },
    },
    {
      name: 'credentials in the URL',
      source: (o) =>
        o.add('creds.csv', eventsCsv(1, 'cr')).replace('http://', 'http://admin:hunter2@'),
      expect: fail(
        /^file_url http:\/\/127\.0\.0\.1:\d+\/creds\.csv carries a user name or password, which Ferry refuses to send; use a presigned URL instead$/,
      ),
    },
    {
      name: 'an export PUT to an uncovered loopback port',
      taskType: 'EXPORT',
      source: (o) => canary(o, '/put.csv'),
      expect: fail(/127\.0\.0\.1, a loopback address/),
    },
    {
      name: 'an export PUT to the metadata address',
      taskType: 'EXPORT',
      source: () => 'http://169.254.169.254/put.csv',
      expect: fail(/a metadata address/),
    },
  ];
}
