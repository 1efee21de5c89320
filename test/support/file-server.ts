import http from 'http';
import { type AddressInfo } from 'net';

/** A loopback HTTP server that serves registered files, like the object a user's file_url names. */
export class FileServer {
  private readonly files = new Map<
    string,
    { body: Buffer; type: string; bytesPerSecond?: number; ranges?: { bytesPerSecond?: number } }
  >();
  private readonly failures = new Map<string, number>();
  private readonly handlers = new Map<string, http.RequestListener>();
  private server?: http.Server;
  private base = '';
  requests = 0;

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.requests++;
      const handler = this.handlers.get(req.url ?? '');
      if (handler) {
        handler(req, res);
        return;
      }
      const failStatus = this.failures.get(req.url ?? '');
      if (failStatus !== undefined) {
        res.writeHead(failStatus, { 'content-type': 'text/plain' }).end('failing on purpose');
        return;
      }
      const file = this.files.get(req.url ?? '');
      if (!file) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      let body = file.body;
      let pace = file.bytesPerSecond;
      const range = file.ranges ? /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '') : null;
      if (range) {
        // A byte range, as an object store serves one (a part of a split import).
        const [from, to] = [Number(range[1]), Math.min(Number(range[2]), body.length - 1)];
        body = body.subarray(from, to + 1);
        pace = file.ranges?.bytesPerSecond;
        res.writeHead(206, {
          'content-type': file.type,
          'content-length': body.length,
          'content-range': `bytes ${from}-${to}/${file.body.length}`,
          'accept-ranges': 'bytes',
        });
      } else {
        res.writeHead(200, {
          'content-type': file.type,
          'content-length': body.length,
          ...(file.ranges && { 'accept-ranges': 'bytes', etag: '"v1"' }),
        });
      }
      if (!pace) {
        res.end(body);
        return;
      }
      // A slow origin: 64 KiB at a time, paced (so a fault test can hit an import mid-way).
      const chunk = 64 * 1024;
      const pauseMs = (chunk / pace) * 1000;
      let at = 0;
      const next = (): void => {
        if (res.destroyed) return;
        if (at >= body.length) {
          res.end();
          return;
        }
        res.write(body.subarray(at, (at += chunk)));
        setTimeout(next, pauseMs);
      };
      next();
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /**
   * Registers a file and returns its URL; with `ranges` it also serves byte ranges (206), each
   * at `ranges.bytesPerSecond` (the whole file keeps `bytesPerSecond`).
   */
  add(
    name: string,
    body: string | Buffer,
    type = 'text/csv',
    bytesPerSecond?: number,
    ranges?: { bytesPerSecond?: number },
  ): string {
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
    this.files.set(`/${name}`, { body: buf, type, bytesPerSecond, ranges });
    return `${this.base}/${name}`;
  }

  /** A URL that always answers `status` (e.g. 503: a source that never recovers). */
  failing(name: string, status: number): string {
    this.failures.set(`/${name}`, status);
    return `${this.base}/${name}`;
  }

  /** A URL answered by `handler` (a hostile origin: slow, endless, lying, redirecting). */
  handle(name: string, handler: http.RequestListener): string {
    this.handlers.set(`/${name}`, handler);
    return `${this.base}/${name}`;
  }

  get port(): number {
    return Number(new URL(this.base).port);
  }

  url(name: string): string {
    return `${this.base}/${name}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
