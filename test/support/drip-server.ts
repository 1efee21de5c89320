import http from 'http';
import { type AddressInfo } from 'net';

/**
 * Serves one file slowly: the first `headBytes` at once, then the rest after `pauseMs`. A task
 * importing it stays PROCESSING long enough for a watcher to see it live.
 */
export class DripServer {
  private server?: http.Server;
  url = '';

  constructor(
    private readonly body: string,
    private readonly headBytes: number,
    private readonly pauseMs: number,
  ) {}

  async start(): Promise<this> {
    const data = Buffer.from(this.body);
    this.server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': data.length });
      res.write(data.subarray(0, this.headBytes));
      const timer = setTimeout(() => res.end(data.subarray(this.headBytes)), this.pauseMs);
      res.on('close', () => clearTimeout(timer));
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/drip.csv`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
