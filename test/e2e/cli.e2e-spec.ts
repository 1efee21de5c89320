import { spawn } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import path from 'path';

import { EntityType } from '@ferry/contracts';

import { DripServer } from '../support/drip-server';
import { eventRow, EVENTS_HEADER, eventsCsv } from '../support/events-csv';
import { type FerrySystem, startFerry } from '../support/ferry-system';
import { FileServer } from '../support/file-server';

const CLI = path.resolve(__dirname, '../../tools/cli/ferry.mjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The `ferry` CLI against the running system, as a user runs it (stdout and stderr not a TTY). */
describe('the ferry CLI', () => {
  let ferry: FerrySystem;
  let files: FileServer;
  let dir: string;

  beforeAll(async () => {
    files = await new FileServer().start();
    ferry = await startFerry();
    dir = mkdtempSync(path.join(tmpdir(), 'ferry-cli-'));
  });

  afterAll(async () => {
    await ferry?.stop();
    await files?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const ferryCli = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        cwd: dir,
        env: {
          PATH: process.env['PATH'] ?? '',
          FERRY_API_URL: ferry.baseUrl,
          FERRY_API_KEY: ferry.apiKey,
          ...env,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  /** 3 rows out of `rows` carry a timestamp that does not parse. */
  const csvWithBadRows = (rows: number) => {
    const lines = [EVENTS_HEADER];
    for (let i = 0; i < rows; i++) {
      lines.push(
        i % 1000 === 7 ? eventRow(i, 'bad').replace(/2026-[^,]+/, 'yesterday') : eventRow(i, 'bad'),
      );
    }
    return lines.join('\n') + '\n';
  };

  const taskIdOf = (run: Run) => /task (task_[0-9A-Z]{26}) created/.exec(run.stderr)?.[1];

  it('imports a clean file: progress lines, the counts, exit code 0', async () => {
    const url = files.add('clean.csv', eventsCsv(50_000, 'cli'));
    const run = await ferryCli(['import', 'events', url]);
    expect(run.code).toBe(0);
    const id = taskIdOf(run);
    expect(id).toBeDefined();
    const lines = run.stderr.split('\n').filter((l) => l.startsWith(`progress ${id} `));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.at(-1)).toMatch(
      /status=COMPLETED processed=50000 successful=50000 failed=0 total=50000 percent=100/,
    );
    const processed = lines.map((l) => Number(/processed=(\d+)/.exec(l)?.[1]));
    expect(processed).toEqual([...processed].sort((a, b) => a - b));
    expect(run.stdout).toMatch(
      new RegExp(`^${id} COMPLETED: 50,000 processed, 50,000 succeeded, 0 rejected of 50,000`),
    );
  });

  it('exits 3 when rows were rejected, names them, and writes the rejected rows file', async () => {
    const url = files.add('with-bad-rows.csv', csvWithBadRows(3000));
    const run = await ferryCli(['import', 'events', url]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/COMPLETED: 3,000 processed, 2,997 succeeded, 3 rejected/);
    expect(run.stdout).toMatch(/row 9: .*timestamp/);
    // The rejected rows, from GET /v1/tasks/{id}/errors, next to the input, ready to fix.
    const written = /rejected rows written to (\S+)/.exec(run.stderr);
    expect(written).not.toBeNull();
    const lines = readFileSync(path.join(dir, (written as RegExpExecArray)[1]), 'utf8')
      .trimEnd()
      .split('\n');
    expect(lines[0]).toMatch(/^row_number,error_code,error_message,/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^9,/);
  });

  it('exits 0 with rejected rows under --allow-rejects', async () => {
    const run = await ferryCli([
      'import',
      'events',
      files.url('with-bad-rows.csv'),
      '--allow-rejects',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/3 rejected/);
  });

  it('exits 2 when the task FAILED, with the reason', async () => {
    const run = await ferryCli(['import', 'events', files.url('missing.csv')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/FAILED: 0 processed/);
    expect(run.stdout).toMatch(/404/);
  });

  it('watches an existing task to its end, with the same exit codes', async () => {
    const created = await ferryCli(['import', 'events', files.url('clean.csv'), '--no-wait']);
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    expect(id).toMatch(/^task_/);
    const run = await ferryCli(['watch', id]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^${id} COMPLETED`));
    const bad = /task (task_\S+) created/.exec(
      (await ferryCli(['import', 'events', files.url('with-bad-rows.csv'), '--no-wait'])).stderr,
    )![1];
    expect((await ferryCli(['watch', bad])).code).toBe(3);
    expect((await ferryCli(['watch', bad, '--allow-rejects'])).code).toBe(0);
    expect((await ferryCli(['watch', 'task_01JUNKNOWNUNKNOWNUNKNOWNXX'])).code).toBe(1);
  });

  it('shows, cancels and retries a task, and writes its rejected rows (what the console does)', async () => {
    const csv = eventsCsv(4000, 'cliretry');
    const drip = await new DripServer(csv, Math.floor(csv.length / 2), 1500).start();
    try {
      const created = await ferryCli(['import', 'events', drip.url, '--no-wait']);
      const id = created.stdout.trim();
      const cancel = await ferryCli(['cancel', id]);
      expect(cancel.code).toBe(0);
      const shown = await ferryCli(['task', id]);
      expect(shown.stdout).toMatch(/^status\s+FAILED$/m);
      expect(shown.stdout).toMatch(/^errors\s+.*cancel/im);
      const retry = await ferryCli(['retry', id]);
      expect(retry.code).toBe(0);
      expect(retry.stdout).toMatch(new RegExp(`^${id} COMPLETED: 4,000 processed`));
      expect((await ferryCli(['retry', id])).code).toBe(1); // COMPLETED → PROCESSING is refused
    } finally {
      await drip.stop();
    }

    // --max-errors 0: the first rejected row ends the task FAILED (exit 2); the rows stay readable.
    const strict = await ferryCli([
      'import',
      'events',
      files.add('cli-strict.csv', csvWithBadRows(30)),
      '--max-errors',
      '0',
    ]);
    expect(strict.code).toBe(2);
    const id = taskIdOf(strict)!;
    expect(JSON.parse((await ferryCli(['task', id, '--json'])).stdout).metadata.max_errors).toBe(0);
    const errors = await ferryCli(['errors', id, '-o', 'strict.errors.csv']);
    expect(errors.code).toBe(0);
    const lines = readFileSync(path.join(dir, 'strict.errors.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^row_number,error_code,error_message,/);
    expect(lines[1]).toMatch(/^9,/);
    expect((await ferryCli(['import', 'events', 'x.csv', '--max-errors', '-1'])).code).toBe(1);
  });

  it('lists tasks as a table, with filters', async () => {
    const all = await ferryCli(['tasks', '--limit', '100']);
    expect(all.code).toBe(0);
    const [header, ...rows] = all.stdout.trim().split('\n');
    expect(header).toMatch(
      /^ID\s+TYPE\s+ENTITY\s+STATUS\s+PROCESSED\s+FAILED\s+TOTAL\s+CREATED\s+FILE$/,
    );
    expect(rows.filter((r) => r.startsWith('task_')).length).toBeGreaterThanOrEqual(5);
    const failed = await ferryCli(['tasks', '--status', 'failed']);
    const failedRows = failed.stdout.split('\n').filter((r) => r.startsWith('task_'));
    expect(failedRows.length).toBeGreaterThanOrEqual(1);
    for (const r of failedRows) expect(r).toMatch(/\sFAILED\s/);
    const bad = await ferryCli(['tasks', '--status', 'DONE']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/task_status/);
  });

  it('creates, lists, runs, pauses and deletes a scheduled export; its run is a task of its schedule', async () => {
    const created = await ferryCli([
      'schedules',
      'create',
      'events',
      'hourly',
      '--prefix',
      'cli',
      '--gzip',
    ]);
    expect(created.code).toBe(0);
    const schedule = JSON.parse(created.stdout);
    expect(schedule).toMatchObject({ entity_type: 'events', interval: 'hourly', enabled: true });
    const listed = await ferryCli(['schedules', 'list']);
    expect(listed.stdout).toMatch(
      /^ID\s+ENTITY\s+INTERVAL\s+MODE\s+ENABLED\s+NEXT RUN\s+LAST RUN\s+DESTINATION$/m,
    );
    expect(listed.stdout).toContain(schedule.id);
    const run = await ferryCli([
      'schedules',
      'run',
      schedule.id,
      '--from',
      '2026-01-01T00:00:00Z',
      '--to',
      '2026-01-02T00:00:00Z',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse((await ferryCli(['schedules', 'show', schedule.id])).stdout).id).toBe(
      schedule.id,
    );
    const own = await ferryCli(['schedules', 'runs', schedule.id, '--json']);
    const [runTask] = JSON.parse(own.stdout).items;
    expect(runTask).toMatchObject({ scheduled_task_id: schedule.id, task_status: 'COMPLETED' });
    const got = await ferryCli(['download', runTask.id]);
    expect(got.code).toBe(0);
    expect(got.stdout).toBe('written to events-260101000000-260102000000.csv.gz\n');
    expect(existsSync(path.join(dir, 'events-260101000000-260102000000.csv.gz'))).toBe(true);
    const runs = await ferryCli(['tasks', '--schedule', schedule.id]);
    expect(runs.stdout).toMatch(
      new RegExp(`COMPLETED.*events-260101000000-260102000000\\.csv\\.gz\\s+\\[${schedule.id}\\]`),
    );
    expect(JSON.parse((await ferryCli(['schedules', 'disable', schedule.id])).stdout).enabled).toBe(
      false,
    );
    expect((await ferryCli(['schedules', 'delete', schedule.id])).stdout).toMatch(
      /never runs again/,
    );
    expect((await ferryCli(['schedules', 'delete', schedule.id])).code).toBe(1);
  });

  it('makes, lists and revokes API keys, and an operator makes a tenant without SQL', async () => {
    const made = await ferryCli(['keys', 'create', 'cli key', '--expires', '2099-01-01T00:00:00Z']);
    expect(made.code).toBe(0);
    const key = made.stdout.trim();
    expect(key).toMatch(/^fry_/);
    const keyId = /key (key_[0-9A-Z]{26}) made/.exec(made.stderr)?.[1] ?? '';
    expect((await ferryCli(['tasks', '--api-key', key])).code).toBe(0);
    const listed = await ferryCli(['keys', 'list']);
    expect(listed.stdout).toMatch(
      new RegExp(`${keyId}  published .*task:read,task:write  cli key`),
    );
    expect(listed.stdout).not.toContain(key);
    expect((await ferryCli(['keys', 'revoke', keyId])).code).toBe(0);
    const after = await ferryCli(['tasks', '--api-key', key]);
    expect(after.stderr).toMatch(/HTTP 401/);

    const admin = await ferryCli(['admin', 'create-tenant', '--name', 'cli tenant'], {
      DATABASE_URL: ferry.databaseUrl,
    });
    expect(admin.code).toBe(0);
    const tenant = JSON.parse(admin.stdout) as { api_key: string; tenant_id: string };
    expect(tenant.tenant_id).toMatch(/^tenant_/);
    const theirs = await ferryCli(['keys', 'list', '--json', '--api-key', tenant.api_key]);
    expect(JSON.parse(theirs.stdout).items).toHaveLength(1);
  });

  it('refuses to run without a key, and with a wrong one', async () => {
    const none = await ferryCli(['tasks'], { FERRY_API_KEY: '' });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/API key is needed/);
    const wrong = await ferryCli(['tasks', '--api-key', 'fry_wrong_wrong_wrong_wrong']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/not valid \(HTTP 401, permission_denied\)/);
  });

  it("takes its entity types from the gateway's /docs-json, and says so when that does not answer", async () => {
    const entities = Object.values(EntityType).join(', ').toLowerCase();
    const help = await ferryCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(`\nentities: ${entities}\n`);
    const unknown = await ferryCli(['export', 'orders']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`entity must be one of ${entities}`);

    // A port nothing listens on: the gateway is not there.
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const away = `http://127.0.0.1:${closed}`;
    const run = await ferryCli(['import', 'events', files.url('clean.csv'), '--api-url', away]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `the entity types are read from ${away}/docs-json, which did not answer`,
    );
    const helpAway = await ferryCli(['--help', '--api-url', away]);
    expect(helpAway.stdout).toContain(
      `entities: unknown: the entity types are read from ${away}/docs-json`,
    );
  });

  it('imports a local file through the uploads endpoint', async () => {
    const local = path.join(dir, 'local.csv');
    writeFileSync(local, eventsCsv(100, 'local'));
    const run = await ferryCli(['import', 'events', local]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/COMPLETED: 100 processed, 100 succeeded, 0 rejected/);
  });

  it('imports --dry-run (nothing written), then reverts the real import after its preview', async () => {
    const url = files.add('undo.csv', eventsCsv(50, 'undo'));
    const dry = await ferryCli(['import', 'events', url, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/created: dry run of importing EVENTS/);
    expect(dry.stdout).toMatch(/COMPLETED: 50 processed, 50 succeeded, 0 rejected/);
    const count = async () =>
      Number(
        (await ferry.db.query("SELECT count(*) AS n FROM events WHERE id LIKE 'undo%'")).rows[0].n,
      );
    expect(await count()).toBe(0);
    const real = await ferryCli(['import', 'events', url, '--atomic']);
    expect(real.code).toBe(0);
    expect(await count()).toBe(50);
    const id = taskIdOf(real) ?? '';
    const preview = await ferryCli(['revert', id]);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/would delete 50, restore 0, keep 0 changed since/);
    expect(preview.stdout).toMatch(/run again with --yes/);
    expect(await count()).toBe(50);
    const undo = await ferryCli(['revert', id, '--yes']);
    expect(undo.code).toBe(0);
    expect(undo.stdout).toMatch(/COMPLETED: 50 processed, 50 succeeded, 0 rejected/);
    expect(await count()).toBe(0);
    expect((await ferryCli(['revert', id])).stdout).toMatch(/already reverted by task_/);
  });

  it('exports: follows the task, then downloads the file to -o', async () => {
    const run = await ferryCli(['export', 'events', '--format', 'csv', '-o', 'events-out.csv']);
    expect(run.stderr).toMatch(
      /task task_\S+ created: exporting EVENTS as CSV to store:\/\/exports\//,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ COMPLETED: /);
    expect(run.stdout).toMatch(/written to events-out.csv/);
    const { rows } = await ferry.db.query('SELECT count(*)::int AS n FROM events');
    const lines = readFileSync(path.join(dir, 'events-out.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^event_id,/);
    expect(lines.length - 1).toBe(rows[0].n);
  });

  it('draws a bar on a terminal: redrawn in place, full at the end', async () => {
    const script = `
      import { ProgressView } from ${JSON.stringify(path.resolve(__dirname, '../../tools/cli/lib/progress.mjs'))};
      const out = { isTTY: true, columns: 120, text: '', write(s) { this.text += s; } };
      const view = new ProgressView(out);
      const task = (status, processed, total) => ({ id: 't', task_status: status, processed_records: processed, successful_records: processed, failed_records: 0, total_records: total });
      view.update({ task: task('PROCESSING', 1000, null), percent: null, rows_per_second: 5000, eta_seconds: null });
      view.update({ task: task('PROCESSING', 5000, 10000), percent: 50, rows_per_second: 5000, eta_seconds: 1 });
      view.update({ task: task('COMPLETED', 10000, 10000), percent: 100, rows_per_second: 5000, eta_seconds: 0 });
      view.done();
      process.stdout.write(JSON.stringify(out.text));`;
    const run = await new Promise<Run>((resolve) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(run.stderr).toBe('');
    const text = JSON.parse(run.stdout) as string;
    const frames = text.split('\r\x1b[2K').filter(Boolean);
    expect(frames).toHaveLength(3);
    expect(frames[0]).toMatch(/^\[ *<=> *\] +PROCESSING {2}1,000 rows {2}5,000 rows\/s$/);
    expect(frames[1]).toMatch(
      /^\[#{15}-{15}\] +50\.0% PROCESSING {2}5,000\/10,000 rows {2}5,000 rows\/s {2}ETA 1s$/,
    );
    expect(frames[2]).toMatch(
      /^\[#{30}\] 100\.0% COMPLETED {2}10,000\/10,000 rows {2}5,000 rows\/s\n$/,
    );
    expect(existsSync(CLI)).toBe(true);
  });
});
