/**
 * `npm run bench -- --only scale`: issue 16's figures at size (docs/CAPACITY.md).
 *
 * 1. One import of `--rows` events (default 100,000,000) spread over one year (one row every
 *    ~0.3 s of 2026), POST → COMPLETED: rows/s and the importer's peak RSS, sampled while it runs.
 * 2. A one-day export of that table (`start_time`/`end_time`, CSV into the built-in store) against
 *    `psql \copy (select … one day …) to` in the same run, and the same day's rows counted with
 *    and without partition pruning (EXPLAIN ANALYZE times).
 * 3. `--tasks` (default 3) imports of `--task-rows` (default 2,000,000) each with 1, 2 and 3
 *    importer processes: rows/s against replicas (many tasks; `--only split` is one task in parts).
 *
 *   npm run bench -- --only scale --rows 1000000 --task-rows 200000
 *   npm run bench -- --only scale --rows 50000000 --tasks 0   (the big import and export alone)
 */
import { spawnSync } from 'child_process';
import { createReadStream, createWriteStream, mkdirSync, statSync, writeFileSync } from 'fs';
import http from 'http';
import { type AddressInfo } from 'net';
import os from 'os';
import path from 'path';

import { FerryApi } from '../support/api';
import { EVENTS_HEADER } from '../support/events-csv';
import { type FerrySystem, startFerry } from '../support/ferry-system';

const YEAR_START = Date.UTC(2026, 0, 1);
const COPY_COLUMNS =
  'environment_id,id,tenant_id,event_name,external_customer_id,customer_id,timestamp,source,properties,task_id';
const YEAR_MS = 365 * 24 * 3600 * 1000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

export function onlyScale(): boolean {
  const i = process.argv.indexOf('--only');
  return i > 0 && process.argv[i + 1] === 'scale';
}

export function onlySplit(): boolean {
  const i = process.argv.indexOf('--only');
  return i > 0 && process.argv[i + 1] === 'split';
}

/**
 * `npm run bench -- --only split`: ONE task of `--rows` events (default 10,000,000) read in parts
 * (FERRY_IMPORT_PART_BYTES, `--part-mb`, default 64) by 1, 2 and 3 importer processes, against the
 * same file read whole by one importer (splitting off) in the same run: rows/s against replicas.
 */
export async function benchSplit(root: string): Promise<void> {
  const rows = arg('rows', 10_000_000);
  const partMb = arg('part-mb', 64);
  const dir = path.join(os.tmpdir(), `ferry-split-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const figures: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} cores, shared with other work (load ${loadAverage()} at start)`,
    rows,
    part_mb: partMb,
  };
  try {
    const file = path.join(dir, 'one.csv');
    await writeEvents(file, rows, 'one');
    figures['file_mb'] = Math.round(statSync(file).size / 1e6);
    const runs: Array<Record<string, unknown>> = [];
    for (const [importers, split] of [
      [1, false],
      [1, true],
      [2, true],
      [3, true],
    ] as const) {
      const ferry = await startFerry({
        env: {
          LOG_LEVEL: 'warn',
          FERRY_IMPORT_PART_BYTES: split ? String(partMb * 1024 * 1024) : '0',
        },
      });
      const served = await serve([file]);
      try {
        const pids = [ferry.pids.importer ?? 0];
        for (let k = 1; k < importers; k++) pids.push(await ferry.addReplica('importer'));
        const api = new FerryApi(ferry.baseUrl, ferry.apiKey);
        const r = await importAll(api, served.urls, pids);
        const { rows: p } = await ferry.db.query(
          'SELECT max(parts) AS parts FROM task_checkpoints WHERE part = 0',
        );
        runs.push({ importers, split, parts: Number(p[0].parts), ...r, load: loadAverage() });
        console.log(`${importers} importer(s), split ${split}: ${JSON.stringify(r)}`);
      } finally {
        served.close();
        await ferry.stop();
      }
    }
    const base = runs[0]['rows_per_second'] as number;
    for (const r of runs) {
      r['ratio_to_one_part'] = Number(((r['rows_per_second'] as number) / base).toFixed(2));
    }
    figures['runs'] = runs;
    // The baseline of the same run: one `psql \copy` of the same rows into a table of the events
    // table's shape and indexes (the import at 10M rows against \copy, issue 17).
    const copyFile = path.join(dir, 'copy.csv');
    const ferry = await startFerry({ env: { LOG_LEVEL: 'warn' }, services: ['status'] });
    try {
      await ferry.db.query('CREATE TABLE bench_events (LIKE events INCLUDING ALL)');
      await writeEvents(copyFile, rows, 'one', { env: 'env_copy', tenant: 'tenant_copy' });
      const t0 = Date.now();
      const psql = spawnSync(
        'psql',
        [
          ferry.databaseUrl,
          '-v',
          'ON_ERROR_STOP=1',
          '-c',
          `\\copy bench_events(${COPY_COLUMNS}) from '${copyFile}' csv header`,
        ],
        { encoding: 'utf8' },
      );
      if (psql.status !== 0) throw new Error(`psql \\copy failed: ${psql.stderr}`);
      const copySeconds = (Date.now() - t0) / 1000;
      figures['psql_copy'] = {
        seconds: copySeconds,
        rows_per_second: Math.round(rows / copySeconds),
        load: loadAverage(),
      };
      for (const r of runs) {
        r['ratio_to_copy'] = Number(((r['seconds'] as number) / copySeconds).toFixed(2));
      }
    } finally {
      await ferry.stop();
    }
  } finally {
    spawnSync('rm', ['-rf', dir]);
    writeFigures(root, `split-${rows}.json`, figures);
  }
}

/** `rows` events spread evenly over 2026 (or, with `copyTo`, in the events table's layout). */
async function writeEvents(
  file: string,
  rows: number,
  prefix: string,
  copyTo?: { env: string; tenant: string },
): Promise<void> {
  const out = createWriteStream(file);
  out.write((copyTo ? COPY_COLUMNS : EVENTS_HEADER) + '\n');
  const step = YEAR_MS / rows;
  let chunk: string[] = [];
  for (let i = 0; i < rows; i++) {
    const ts = new Date(YEAR_START + Math.floor(i * step)).toISOString();
    const [region, tokens, model] = [`eu-west-${i % 3}`, `${(i * 7) % 1000}`, `gpt-${i % 4}`];
    if (copyTo) {
      const props = JSON.stringify({ region, tokens, model }).replace(/"/g, '""');
      chunk.push(
        `${copyTo.env},${prefix}_${i},${copyTo.tenant},api_call,cust_${i % 500},,${ts},sdk,"${props}",bench`,
      );
    } else {
      chunk.push(`${prefix}_${i},api_call,cust_${i % 500},${ts},sdk,${region},${tokens},${model}`);
    }
    if (chunk.length === 10_000 || i === rows - 1) {
      if (!out.write(chunk.join('\n') + '\n'))
        await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = [];
    }
  }
  await new Promise<void>((r, j) => out.end((err?: Error | null) => (err ? j(err) : r())));
}

/** Serves `files` as an object store would: with their length, and byte ranges (206). */
function serve(files: string[]): Promise<{ urls: string[]; close: () => void }> {
  const server = http.createServer((req, res) => {
    const file = files[Number((req.url ?? '/0').slice(1).split('.')[0])];
    const size = statSync(file).size;
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    const head = { 'content-type': 'text/csv', 'accept-ranges': 'bytes', etag: '"bench"' };
    if (range) {
      const [from, to] = [Number(range[1]), Math.min(Number(range[2]), size - 1)];
      res.writeHead(206, {
        ...head,
        'content-length': to - from + 1,
        'content-range': `bytes ${from}-${to}/${size}`,
      });
      createReadStream(file, { start: from, end: to }).pipe(res);
      return;
    }
    res.writeHead(200, { ...head, 'content-length': size });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        urls: files.map((_, i) => `http://127.0.0.1:${port}/${i}.csv`),
        close: () => server.close(),
      });
    }),
  );
}

/** Prints the run's figures and keeps them in tmp/bench/<name> (whatever happened). */
function writeFigures(root: string, name: string, figures: Record<string, unknown>): void {
  const out = path.join(root, 'tmp/bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, name), JSON.stringify(figures, null, 2) + '\n');
  console.log(JSON.stringify(figures, null, 2));
}

function peakRssMb(pid: number | undefined): number {
  if (!pid) return 0;
  const r = spawnSync('grep', ['VmHWM', `/proc/${pid}/status`], { encoding: 'utf8' });
  const kb = Number(/(\d+)/.exec(r.stdout)?.[1]);
  return Number.isFinite(kb) ? Math.round(kb / 1024) : 0;
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}

async function importAll(api: FerryApi, urls: string[], pids: number[]) {
  const t0 = Date.now();
  const ids: string[] = [];
  for (const url of urls) {
    const res = await api.createTask({
      task_type: 'IMPORT',
      entity_type: 'EVENTS',
      file_type: 'CSV',
      file_url: url,
    });
    ids.push(res.body.id as string);
  }
  let rss = 0;
  let rows = 0;
  for (const id of ids) {
    const done = await api.waitForTask(id, 4 * 3600_000, () => {
      for (const pid of pids) rss = Math.max(rss, peakRssMb(pid));
    });
    if (done.task_status !== 'COMPLETED') throw new Error(`import failed: ${JSON.stringify(done)}`);
    rows += done.successful_records as number;
  }
  const seconds = (Date.now() - t0) / 1000;
  for (const pid of pids) rss = Math.max(rss, peakRssMb(pid));
  return { rows, seconds, rows_per_second: Math.round(rows / seconds), peak_rss_mb: rss };
}

async function dayExport(ferry: FerrySystem, api: FerryApi, scope: { t: string; e: string }) {
  const start = new Date(YEAR_START + 180 * 24 * 3600_000).toISOString();
  const end = new Date(YEAR_START + 181 * 24 * 3600_000).toISOString();
  const t0 = Date.now();
  const res = await api.createTask({
    task_type: 'EXPORT',
    entity_type: 'EVENTS',
    file_type: 'CSV',
    file_url: 'store://exports/',
    metadata: { start_time: start, end_time: end },
  });
  const done = await api.waitForTask(res.body.id as string, 3600_000);
  const seconds = (Date.now() - t0) / 1000;
  if (done.task_status !== 'COMPLETED') throw new Error(`export failed: ${JSON.stringify(done)}`);
  const select =
    `SELECT id, event_name, external_customer_id, customer_id, "timestamp", source, properties::text, ingested_at ` +
    `FROM events WHERE tenant_id = '${scope.t}' AND environment_id = '${scope.e}' ` +
    `AND "timestamp" >= '${start}' AND "timestamp" < '${end}' ORDER BY "timestamp", id`;
  const t1 = Date.now();
  const psql = spawnSync(
    'psql',
    [ferry.databaseUrl, '-v', 'ON_ERROR_STOP=1', '-c', `\\copy (${select}) to '/dev/null' csv`],
    { encoding: 'utf8' },
  );
  const copySeconds = (Date.now() - t1) / 1000;
  if (psql.status !== 0) throw new Error(`psql \\copy failed: ${psql.stderr}`);
  const explain = async (where: string): Promise<number> => {
    const { rows } = await ferry.db.query(
      `EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM events WHERE ${where}`,
    );
    return Number(
      (rows[0]['QUERY PLAN'] as Array<{ 'Execution Time': number }>)[0]['Execution Time'],
    );
  };
  const pruned = await explain(
    `environment_id = '${scope.e}' AND "timestamp" >= '${start}' AND "timestamp" < '${end}'`,
  );
  // The same day found without the time column (no pruning, no index): what an unpartitioned,
  // unindexed table costs for a window.
  const scanned = await explain(
    `environment_id = '${scope.e}' AND (extract(epoch from "timestamp") - ${YEAR_START / 1000}) / 86400 >= 180 AND (extract(epoch from "timestamp") - ${YEAR_START / 1000}) / 86400 < 181`,
  );
  return {
    rows: done.total_records as number,
    seconds,
    psql_copy_seconds: copySeconds,
    ratio_ferry_to_copy: Number((seconds / copySeconds).toFixed(2)),
    count_pruned_ms: Math.round(pruned),
    count_full_scan_ms: Math.round(scanned),
  };
}

export async function benchScale(root: string): Promise<void> {
  const rows = arg('rows', 100_000_000);
  const taskRows = arg('task-rows', 2_000_000);
  const tasks = arg('tasks', 3);
  const dir = path.join(os.tmpdir(), `ferry-scale-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const figures: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} cores, shared with other work (load ${loadAverage()} at start)`,
  };
  try {
    // 3 first (small), so a failure of the long run still leaves these figures.
    const files: string[] = [];
    for (let i = 0; i < tasks; i++) {
      files.push(path.join(dir, `task-${i}.csv`));
      await writeEvents(files[i], taskRows, `t${i}`);
    }
    const replicas: Array<Record<string, unknown>> = [];
    for (const n of tasks > 0 ? [1, 2, 3] : []) {
      const ferry = await startFerry({
        env: { LOG_LEVEL: 'warn', FERRY_TENANT_MAX_RUNNING_IMPORTS: '0' },
      });
      const served = await serve(files);
      try {
        const pids = [ferry.pids.importer ?? 0];
        for (let k = 1; k < n; k++) pids.push(await ferry.addReplica('importer'));
        const api = new FerryApi(ferry.baseUrl, ferry.apiKey);
        const r = await importAll(api, served.urls, pids);
        replicas.push({ importers: n, tasks, ...r, load: loadAverage() });
        console.log(`${n} importer(s), ${tasks} × ${taskRows} rows: ${JSON.stringify(r)}`);
      } finally {
        served.close();
        await ferry.stop();
      }
    }
    figures['replicas'] = replicas;

    const big = path.join(dir, 'big.csv');
    const g0 = Date.now();
    await writeEvents(big, rows, 'evt');
    const mb = statSync(big).size / 1e6;
    console.log(
      `generated ${rows} rows, ${mb.toFixed(0)} MB in ${((Date.now() - g0) / 1000).toFixed(0)} s`,
    );
    const ferry = await startFerry({ env: { LOG_LEVEL: 'warn' } });
    const served = await serve([big]);
    try {
      const api = new FerryApi(ferry.baseUrl, ferry.apiKey);
      const load = loadAverage();
      const imported = await importAll(api, served.urls, [ferry.pids.importer ?? 0]);
      figures['import'] = { file_mb: Math.round(mb), load_at_start: load, ...imported };
      console.log(`import: ${JSON.stringify(figures['import'])}`);
      const { rows: scope } = await ferry.db.query(
        `SELECT tenant_id AS t, environment_id AS e FROM tasks LIMIT 1`,
      );
      const size = await ferry.db.query(
        `SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS s FROM pg_inherits i
           JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass`,
      );
      figures['events_table_size'] = size.rows[0].s;
      figures['one_day_export'] = await dayExport(ferry, api, scope[0] as { t: string; e: string });
      console.log(`one-day export: ${JSON.stringify(figures['one_day_export'])}`);
    } finally {
      served.close();
      await ferry.stop();
    }
  } finally {
    spawnSync('rm', ['-rf', dir]);
    writeFigures(root, `scale-${rows}.json`, figures);
  }
}
