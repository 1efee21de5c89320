import { writeFileSync } from 'fs';
import http from 'http';
import { type AddressInfo } from 'net';

import { FerryApi } from '../support/api';
import { ALL_SERVICES, type FerrySystem, startFerry } from '../support/ferry-system';
import { FileServer } from '../support/file-server';
import { fileCases, gzipBomb, type HostileCase, type Origin } from '../support/hostile-files';
import { requestCases } from '../support/hostile-requests';
import { sourceCases, TEST_NAMES } from '../support/hostile-sources';

/** What became of one case: the task at its end (or the API's refusal) and its row errors. */
interface Result {
  task?: any;
  refused?: { status: number; message: string };
  rows: [number, string][];
  ms: number;
}

/**
 * Every kind of hostile file and source against one running Ferry (docs/FORMATS.md §1, issue 6): each case
 * must end as its table says (row errors with line and code, FAILED with a sentence, or COMPLETED
 * with exact counters), no service may crash, and no request may reach the canary — a loopback
 * server on a port the allow-list does not cover.
 */
describe('hostile input', () => {
  let ferry: FerrySystem;
  let files: FileServer;
  let canary: http.Server;
  let canaryConnections = 0;
  let api: FerryApi;
  const results = new Map<string, Promise<Result>>();
  let cases: HostileCase[] = [];
  const started = Date.now();

  beforeAll(async () => {
    files = await new FileServer().start();
    canary = http.createServer((_req, res) => res.end('the secret'));
    canary.on('connection', () => canaryConnections++);
    await new Promise<void>((r) => canary.listen(0, '127.0.0.1', r));
    const canaryPort = (canary.address() as AddressInfo).port;
    ferry = await startFerry({
      env: {
        // The guard as a deployment has it: only the file server's port is allowed on loopback.
        FERRY_ALLOW_LOOPBACK_SOURCES: 'false',
        FERRY_FETCH_ALLOW_LIST: `127.0.0.1:${files.port},files.test:${files.port}`,
        FERRY_FETCH_RESOLVE: TEST_NAMES,
        FERRY_ALLOW_HTTP: 'true',
        // Small limits, so the slow and the large cases end in seconds.
        FERRY_CONNECT_TIMEOUT_MS: '1000',
        FERRY_IDLE_TIMEOUT_MS: '1500',
        FERRY_DOWNLOAD_TIMEOUT_MS: '5000',
        FERRY_MAX_FILE_BYTES: String(20 * 1024 * 1024),
        FERRY_MAX_DECOMPRESSED_BYTES: String(16 * 1024 * 1024),
        FERRY_MAX_COLUMNS: '50',
        FERRY_MAX_CELL_BYTES: '4096',
        FERRY_MAX_JSON_DEPTH: '8',
        FERRY_MAX_ROW_ERRORS: '50',
        FERRY_UPLOAD_MAX_BYTES: String(1024 * 1024),
        FERRY_MAX_DELIVER: '2',
        FERRY_NAK_BACKOFF_MS: '100',
        FERRY_IMPORT_CONCURRENCY: '16',
        LOG_LEVEL: 'warn',
      },
    });
    api = new FerryApi(ferry.baseUrl, ferry.apiKey);
    if (process.env['HOSTILE_DEBUG']) {
      setInterval(() => {
        for (const s of ALL_SERVICES) writeFileSync(`/tmp/hostile-${s}.log`, ferry.output(s));
      }, 2000).unref();
    }
    const origin: Origin = {
      add: (name, body) => files.add(name, body),
      handle: (name, handler) => files.handle(name, handler),
      failing: (name, status) => files.failing(name, status),
      filesPort: files.port,
      canaryPort,
    };
    cases = [...fileCases(await gzipBomb(128 * 1024 * 1024)), ...sourceCases(), ...requestCases()];
    const poller = new TaskPoller(api);
    for (const c of cases) results.set(c.name, run(c, origin, poller));
  });

  afterAll(async () => {
    await ferry?.stop();
    await files?.stop();
    await new Promise((r) => canary?.close(r));
  });

  async function run(c: HostileCase, origin: Origin, poller: TaskPoller): Promise<Result> {
    const t0 = Date.now();
    let res: { status: number; body: any };
    if (c.upload) {
      const up = await fetch(`${ferry.baseUrl}/v1/uploads?file_name=big.csv`, {
        method: 'POST',
        headers: { 'x-api-key': ferry.apiKey, 'content-type': 'text/csv' },
        body: new Uint8Array(c.upload()),
      });
      res = { status: up.status, body: await up.json() };
    } else {
      const body = {
        task_type: c.taskType ?? 'IMPORT',
        entity_type: 'EVENTS',
        file_type: c.fileType ?? 'CSV',
        file_url: c.source(origin),
        ...(c.metadata && { metadata: c.metadata }),
      };
      res =
        c.rawMetadata === undefined
          ? await api.createTask(body)
          : await api.createTaskFromJson(
              `${JSON.stringify(body).slice(0, -1)},"metadata":${c.rawMetadata}}`,
            );
    }
    if (res.status !== 202) {
      return {
        refused: {
          status: res.status,
          message: res.body?.error?.message ?? JSON.stringify(res.body),
        },
        rows: [],
        ms: Date.now() - t0,
      };
    }
    const task = await poller.wait(res.body.id);
    const { rows } = await ferry.db.query(
      'SELECT row_number, error_code FROM task_row_errors WHERE task_id = $1 ORDER BY row_number',
      [task.id],
    );
    return {
      task,
      rows: rows.map((r) => [Number(r.row_number), r.error_code]),
      ms: Date.now() - t0,
    };
  }

  const table = () =>
    [...fileCases(Buffer.alloc(0)), ...sourceCases(), ...requestCases()].map(
      (c) => [c.name, c] as const,
    );

  it('has at least 40 cases', () => {
    expect(table().length).toBeGreaterThanOrEqual(40);
  });

  it.each(table())('%s', async (name, c) => {
    const r = await results.get(name);
    if (!r) throw new Error(`case ${name} did not run`);
    const e = c.expect;
    if ('refused' in e) {
      expect(r.refused?.status).toBe(e.refused);
      expect(r.refused?.message).toMatch(e.message);
    } else if ('failed' in e) {
      expect(r.task).toMatchObject({ task_status: 'FAILED' });
      expect(r.task.error_summary).toMatch(e.failed);
      expect(r.task.error_summary).not.toMatch(/SECRET123|hunter2/);
    } else {
      const [processed, successful, failed] = e.completed;
      expect(r.task).toMatchObject({
        task_status: 'COMPLETED',
        processed_records: processed,
        successful_records: successful,
        failed_records: failed,
      });
      expect(r.rows).toEqual(e.rows ?? []);
    }
  });

  it('leaves every service ready, none crashed or restarted, and nothing reached the canary', async () => {
    let crashes = 0;
    for (const name of ALL_SERVICES) {
      const pid = ferry.pids[name] as number;
      const alive = (() => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      })();
      const ready = await fetch(`http://127.0.0.1:${ferry.ports[name]}/health/ready`).then(
        (res) => res.status,
        () => 0,
      );
      if (!alive || ready !== 200) crashes++;
    }
    const logs = ALL_SERVICES.map((s) => ferry.output(s)).join('\n');
    expect(logs).not.toMatch(/SECRET123|hunter2/); // query strings and passwords never logged

    console.log(
      `hostile input: ${cases.length} cases tried in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
        `crashes: ${crashes}, requests that escaped the guard: ${canaryConnections}`,
    );
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(crashes).toBe(0);
    expect(canaryConnections).toBe(0);
  });
});

/** Follows many tasks with one list request per round, instead of one request per task. */
class TaskPoller {
  private readonly waiting = new Map<string, (task: any) => void>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly api: FerryApi) {}

  wait(id: string, timeoutMs = 90_000): Promise<any> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve({
          id,
          task_status: 'STILL RUNNING',
          error_summary: `not finished in ${timeoutMs} ms`,
        });
      }, timeoutMs);
      this.waiting.set(id, (task) => {
        clearTimeout(timer);
        resolve(task);
      });
      this.timer ??= setTimeout(() => void this.poll(), 250);
    });
  }

  private async poll(): Promise<void> {
    const { status, body } = await this.api.request('GET', '/v1/tasks?limit=1000');
    if (status === 200) {
      for (const task of body.items) {
        const done = this.waiting.get(task.id);
        if (done && (task.task_status === 'COMPLETED' || task.task_status === 'FAILED')) {
          this.waiting.delete(task.id);
          done(task);
        }
      }
    }
    this.timer = this.waiting.size > 0 ? setTimeout(() => void this.poll(), 250) : undefined;
  }
}
