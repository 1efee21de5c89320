import http from 'http';
import { AddressInfo } from 'net';

/** A loopback HTTP server that serves registered files, like the object a user's file_url names. */
export class FileServer {
  private readonly files = new Map<string, { body: Buffer; type: string }>();
  private server?: http.Server;
  private base = '';
  requests = 0;

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.requests++;
      const file = this.files.get(req.url ?? '');
      if (!file) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length });
      res.end(file.body);
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Registers a file and returns its URL. */
  add(name: string, body: string | Buffer, type = 'text/csv'): string {
    this.files.set(`/${name}`, { body: Buffer.isBuffer(body) ? body : Buffer.from(body), type });
    return `${this.base}/${name}`;
  }

  url(name: string): string {
    return `${this.base}/${name}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
