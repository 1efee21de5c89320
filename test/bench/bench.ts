/**
 * `npm run bench`: every figure of docs/PERFORMANCE.md and its baseline, measured in the same run
 * on the same machine, printed as ONE table and written into docs/PERFORMANCE.md (between the
 * `bench:latest` markers) and tmp/bench/latest.json:
 *
 * - import of a generated events CSV through the running system (four services, NATS,
 *   PostgreSQL), POST → COMPLETED, against one `psql \copy` of the same rows into a table of the
 *   same shape and indexes, two `\copy` of half the rows each in parallel (both cores busy: the
 *   practical limit of the machine), and pgloader loading the same file into a plain table;
 * - the same rows as JSON (an array) and NDJSON, against the CSV import;
 * - the dry run of the same CSV (`metadata.dry_run`) against the import, when the server has it;
 * - export of the imported rows (CSV and JSON into the built-in store) against
 *   `psql \copy (select …) to` of the same rows, columns and order;
 * - the customers upsert against COPY + `INSERT … ON CONFLICT` (customers.bench.ts);
 * - importer and exporter peak RSS (VmHWM) and how often progress moved during the import.
 *
 *   npm run bench -- --rows 1000000 [--no-pgloader] [--no-docs]
 *   npm run bench -- --only customers   (the customers upsert alone: see customers.bench.ts)
 *   npm run bench -- --only scale       (issue 16's figures at size: see scale.bench.ts)
 *   npm run bench -- --only split       (one task in parts on 1, 2, 3 importers: scale.bench.ts)
 */
import { spawn, spawnSync } from 'child_process';
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'fs';
import http from 'http';
import { type AddressInfo } from 'net';
import os from 'os';
import path from 'path';
import { Writable } from 'stream';
import { pipeline } from 'stream/promises';

import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';

import { FileType } from '@ferry/contracts';
import {
  buildExportQuery,
  CsvRowCounter,
  EXPORT_DEFINITIONS,
  exportCopySql,
  exportFormatter,
  inlineParams,
} from '@ferry/transfer';

import { FerryApi } from '../support/api';
import { eventRow, EVENTS_HEADER } from '../support/events-csv';
import { type FerrySystem, startFerry } from '../support/ferry-system';
import {
  benchCustomers,
  benchCustomersOnly,
  type CustomersFigures,
  onlyCustomers,
} from './customers.bench';
import {
  benchDryRun,
  dryRunTableLine,
  onlyDryRun,
  printDryRun,
  withDryRunLine,
} from './dry-run.bench';
import { benchScale, benchSplit, onlyScale, onlySplit } from './scale.bench';

const ROOT = path.resolve(__dirname, '../..');
const COPY_COLUMNS =
  'environment_id,id,tenant_id,event_name,external_customer_id,customer_id,timestamp,source,properties,task_id';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

async function writeLines(
  file: string,
  head: string | null,
  rows: number,
  line: (i: number) => string,
  sep = '\n',
  tail = '',
) {
  const out = createWriteStream(file);
  if (head !== null) out.write(head + '\n');
  let chunk: string[] = [];
  for (let i = 0; i < rows; i++) {
    chunk.push(line(i));
    if (chunk.length === 10_000 || i === rows - 1) {
      const last = i === rows - 1;
      if (!out.write(chunk.join(sep) + (last ? '\n' : sep)))
        await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = [];
    }
  }
  out.write(tail);
  await new Promise<void>((r, j) => out.end((err?: Error | null) => (err ? j(err) : r())));
}

/** The same row in the events table's own column layout, for `\copy`. */
function copyRow(i: number, env: string, tenant: string): string {
  const [id, name, customer, ts, source, region, tokens, model] = eventRow(i).split(',');
  const props = JSON.stringify({ region, tokens, model }).replace(/"/g, '""');
  return `${env},${id},${tenant},${name},${customer},,${ts},${source},"${props}",bench`;
}

/** The same row as a JSON object (ids under another prefix: the CSV's rows are stored already). */
function jsonRow(i: number): string {
  const [id, name, customer, ts, source, region, tokens, model] = eventRow(i, 'evj').split(',');
  return JSON.stringify({
    event_id: id,
    event_name: name,
    external_customer_id: customer,
    timestamp: ts,
    source,
    properties: { region, tokens, model },
  });
}

/** Serves the files of `dir` by name over loopback HTTP. */
function serve(dir: string): Promise<{ url: (name: string) => string; close: () => void }> {
  const server = http.createServer((req, res) => {
    const file = path.join(dir, path.basename(req.url ?? ''));
    res.writeHead(200, { 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: (name) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/${name}`,
        close: () => server.close(),
      }),
    ),
  );
}

function peakRssMb(pid: number | undefined): number | null {
  if (!pid) return null;
  const r = spawnSync('grep', ['VmHWM', `/proc/${pid}/status`], { encoding: 'utf8' });
  const kb = Number(/(\d+)/.exec(r.stdout)?.[1]);
  return Number.isFinite(kb) ? Math.round(kb / 1024) : null;
}

/** Runs a command; resolves with its wall time in seconds, rejects with its stderr. */
function timed(cmd: string, args: string[]): Promise<number> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', () => undefined);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve((Date.now() - t0) / 1000) : reject(new Error(`${cmd}: ${code} ${err}`)),
    );
  });
}

const psqlCopy = (url: string, command: string): Promise<number> =>
  timed('psql', [url, '-v', 'ON_ERROR_STOP=1', '-c', command]);

interface TaskRun {
  seconds: number;
  task: any;
  rssMb: number;
  /** Longest time the successful counter stood still while the task ran (after it first moved). */
  progressGapS: number | null;
  progressUpdates: number;
}

/** POST → COMPLETED, sampling the service's peak RSS and the progress counters while it runs. */
async function runTask(
  api: FerryApi,
  body: Record<string, unknown>,
  pid: number | undefined,
  expectRows: number,
  counter: 'successful_records' | 'processed_records' = 'successful_records',
): Promise<TaskRun> {
  const t0 = Date.now();
  const created = await api.createTask(body);
  if (created.status !== 202) {
    throw new Error(
      `POST ${JSON.stringify(body)}: ${created.status} ${JSON.stringify(created.body)}`,
    );
  }
  let rss = 0;
  let last = 0;
  let lastChange = 0;
  let gap = 0;
  let updates = 0;
  const task = await api.waitForTask(created.body.id, 60 * 60_000, (t) => {
    rss = Math.max(rss, peakRssMb(pid) ?? 0);
    const n = Number(t[counter] ?? 0);
    const now = Date.now();
    if (n !== last) {
      if (lastChange) gap = Math.max(gap, now - lastChange);
      lastChange = now;
      last = n;
      updates++;
    }
  });
  const seconds = (Date.now() - t0) / 1000;
  const rows = body['task_type'] === 'EXPORT' ? task.total_records : task.successful_records;
  if (task.task_status !== 'COMPLETED' || rows !== expectRows) {
    throw new Error(`task did not complete cleanly: ${JSON.stringify(task)}`);
  }
  return {
    seconds,
    task,
    rssMb: Math.max(rss, peakRssMb(pid) ?? 0),
    progressGapS: updates > 1 ? gap / 1000 : null,
    progressUpdates: updates,
  };
}

/**
 * Ferry's export rendering without a destination: the exporter's own COPY (export-copy.ts) read
 * through its row counter into a sink, in the same snapshot mode, so the table can tell the
 * rendering from the store.
 */
async function exportRenderingSeconds(databaseUrl: string, tenant: string, env: string) {
  const def = EXPORT_DEFINITIONS.get('EVENTS' as never);
  if (!def) throw new Error('no EVENTS export definition');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const q = buildExportQuery(def, { tenantId: tenant, environmentId: env }, {
      startTime: null,
      endTime: null,
      filters: [],
      gzip: false,
    } as never);
    const literal = (v: string): string => client.escapeLiteral(v);
    const sql = exportCopySql(
      inlineParams(q.select, q.params, literal),
      def.columns,
      FileType.CSV,
      literal,
    );
    const t0 = Date.now();
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const counter = new CsvRowCounter(
      exportFormatter(FileType.CSV, def.columns).head(),
      () => undefined,
    );
    await pipeline(
      client.query(copyTo(sql)),
      counter,
      new Writable({ write: (_c, _e, done) => done() }),
    );
    await client.query('COMMIT');
    return { seconds: (Date.now() - t0) / 1000, rows: counter.rows };
  } finally {
    await client.end();
  }
}

/** pgloader (Debian's package), installed when missing as .ci/run installs chromium. */
function ensurePgloader(): string | null {
  if (spawnSync('sh', ['-c', 'command -v pgloader']).status === 0) return 'pgloader';
  console.log('installing pgloader (apt-get)…');
  const r = spawnSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq pgloader'], {
    stdio: 'inherit',
  });
  return r.status === 0 ? 'pgloader' : null;
}

function pgloaderVersion(): string {
  const r = spawnSync('pgloader', ['--version'], { encoding: 'utf8' });
  return /version "?([\d.]+)/.exec(r.stdout)?.[1] ?? '?';
}

/**
 * Whether this server has the dry run (`metadata.dry_run`, issue 15): a 10-row dry run that is
 * accepted, completes, counts its rows and writes none. Anything else is "n/a".
 */
async function hasDryRun(ferry: FerrySystem, api: FerryApi, url: string): Promise<boolean> {
  const created = await api.createTask({
    task_type: 'IMPORT',
    entity_type: 'EVENTS',
    file_type: 'CSV',
    file_url: url,
    metadata: { dry_run: true },
  });
  if (created.status !== 202) return false;
  const done = await api.waitForTask(created.body.id, 60_000);
  const {
    rows: [w],
  } = await ferry.db.query('SELECT count(*)::int AS n FROM events WHERE task_id = $1', [done.id]);
  return done.task_status === 'COMPLETED' && done.successful_records === 10 && w.n === 0;
}

const s = (x: number): string => `${x.toFixed(2)} s`;
const perS = (rows: number, x: number): string => `${Math.round(rows / x).toLocaleString('en')} /s`;
const ratio = (a: number, b: number): number => Number((a / b).toFixed(2));

async function main() {
  if (onlyCustomers()) return benchCustomersOnly(ROOT);
  if (onlyScale()) return benchScale(ROOT);
  if (onlySplit()) return benchSplit(ROOT);
  const rows = arg('rows', 1_000_000);
  const load0 = os.loadavg()[0];
  const dir = path.join(os.tmpdir(), `ferry-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const csv = path.join(dir, 'events.csv');
  await writeLines(csv, EVENTS_HEADER, rows, (i) => eventRow(i));
  await writeLines(path.join(dir, 'probe.csv'), EVENTS_HEADER, 10, (i) => eventRow(i, 'probe'));
  const mb = statSync(csv).size / 1e6;
  console.log(`generated ${rows} rows, ${mb.toFixed(1)} MB`);

  const files = await serve(dir);
  const ferry = await startFerry({ env: { LOG_LEVEL: 'warn' } });
  try {
    const api = new FerryApi(ferry.baseUrl, ferry.apiKey);
    if (onlyDryRun()) {
      // `--only dry-run`: the dry run against the import of the same file (docs/API.md §5).
      const f = await benchDryRun(api, files.url('events.csv'), rows);
      printDryRun(f);
      // The dry run's line of the table in docs/PERFORMANCE.md, the rest left as it was.
      const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
      const note = `, \`--only dry-run\` ${when} UTC, ${rows.toLocaleString('en')} rows, load ${os.loadavg()[0].toFixed(1)}`;
      writeDryRunLine(
        dryRunTableLine(f.dry_run_seconds, f.import_seconds, f.ratio_import_to_dry_run, note),
      );
      return;
    }
    const url = ferry.databaseUrl;
    const imp = await runTask(
      api,
      {
        task_type: 'IMPORT',
        entity_type: 'EVENTS',
        file_type: 'CSV',
        file_url: files.url('events.csv'),
      },
      ferry.pids.importer,
      rows,
    );
    const env = imp.task.environment_id as string;
    const tenant = imp.task.tenant_id as string;

    // Baselines: the same rows in the events table's layout, into tables of the same shape.
    const copyFile = path.join(dir, 'events-copy.csv');
    await writeLines(copyFile, COPY_COLUMNS, rows, (i) => copyRow(i, `${env}_copy`, tenant));
    const half = Math.floor(rows / 2);
    const halves = [path.join(dir, 'half-1.csv'), path.join(dir, 'half-2.csv')];
    await writeLines(halves[0], COPY_COLUMNS, half, (i) => copyRow(i, `${env}_half`, tenant));
    await writeLines(halves[1], COPY_COLUMNS, rows - half, (i) =>
      copyRow(i + half, `${env}_half`, tenant),
    );
    await ferry.db.query('CREATE TABLE bench_events (LIKE events INCLUDING ALL)');
    await ferry.db.query('CREATE TABLE bench_halves (LIKE events INCLUDING ALL)');
    await ferry.db.query('CREATE TABLE bench_pgloader (LIKE events INCLUDING DEFAULTS)');
    const copySeconds = await psqlCopy(
      url,
      `\\copy bench_events(${COPY_COLUMNS}) from '${copyFile}' csv header`,
    );
    const t1 = Date.now();
    await Promise.all(
      halves.map((f) =>
        psqlCopy(url, `\\copy bench_halves(${COPY_COLUMNS}) from '${f}' csv header`),
      ),
    );
    const halvesSeconds = (Date.now() - t1) / 1000;

    let pgloader: { seconds: number; version: string } | null = null;
    if (!flag('no-pgloader') && ensurePgloader()) {
      const load = path.join(dir, 'events.load');
      writeFileSync(
        load,
        `LOAD CSV FROM '${copyFile}' (${COPY_COLUMNS})
         INTO ${url.replace(/^postgres:/, 'postgresql:')}?bench_pgloader (${COPY_COLUMNS})
         WITH skip header = 1, fields optionally enclosed by '"', fields escaped by double-quote,
              fields terminated by ',';\n`,
      );
      const seconds = await timed('pgloader', ['--quiet', load]);
      const {
        rows: [n],
      } = await ferry.db.query('SELECT count(*)::int AS n FROM bench_pgloader');
      if (n.n !== rows) throw new Error(`pgloader loaded ${n.n} rows of ${rows}`);
      pgloader = { seconds, version: pgloaderVersion() };
    }

    // Export. The first read of freshly loaded rows sets their hint bits (writes): a VACUUM first,
    // so neither side pays it. Baseline first, then Ferry (the table is in the page cache for both).
    await ferry.db.query('VACUUM ANALYZE events');
    // Baseline: psql \copy (select …) to a file, the same columns rendered the same way, in order.
    const utc = (c: string) =>
      `regexp_replace(to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '\\.?0+Z$', 'Z')`;
    const select =
      `SELECT id AS event_id, event_name, external_customer_id, customer_id, ${utc('timestamp')} AS timestamp, ` +
      `source, properties::text AS properties, ${utc('ingested_at')} AS created_at FROM events ` +
      `WHERE tenant_id = '${tenant}' AND environment_id = '${env}' ORDER BY timestamp, id`;
    const copyOutSeconds = await psqlCopy(
      url,
      `\\copy (${select}) to '${path.join(dir, 'export-copy.csv')}' csv header`,
    );

    const rendering = await exportRenderingSeconds(url, tenant, env);
    if (rendering.rows !== rows) throw new Error(`the export COPY gave ${rendering.rows} rows`);

    // Ferry: the CSV import's rows, CSV and JSON into the built-in store.
    const exporterIdle = peakRssMb(ferry.pids.exporter);
    const exportCsv = await runTask(
      api,
      {
        task_type: 'EXPORT',
        entity_type: 'EVENTS',
        file_type: 'CSV',
        file_url: 'store://exports/',
      },
      ferry.pids.exporter,
      rows,
      'processed_records',
    );
    const exportJson = await runTask(
      api,
      {
        task_type: 'EXPORT',
        entity_type: 'EVENTS',
        file_type: 'JSON',
        file_url: 'store://exports/',
      },
      ferry.pids.exporter,
      rows,
      'processed_records',
    );
    // JSON and NDJSON imports of the same rows (other ids), against the CSV import.
    await writeLines(path.join(dir, 'events.json'), '[', rows, jsonRow, ',\n', ']\n');
    await writeLines(path.join(dir, 'events.ndjson'), null, rows, jsonRow);
    const json = await runTask(
      api,
      {
        task_type: 'IMPORT',
        entity_type: 'EVENTS',
        file_type: 'JSON',
        file_url: files.url('events.json'),
      },
      ferry.pids.importer,
      rows,
    );
    await ferry.db.query(`DELETE FROM events WHERE environment_id = $1 AND id LIKE 'evj%'`, [env]);
    const ndjson = await runTask(
      api,
      {
        task_type: 'IMPORT',
        entity_type: 'EVENTS',
        file_type: 'JSON',
        file_url: files.url('events.ndjson'),
      },
      ferry.pids.importer,
      rows,
    );

    // The dry run of the same CSV, when the server has it.
    const dryRun = (await hasDryRun(ferry, api, files.url('probe.csv')))
      ? await runTask(
          api,
          {
            task_type: 'IMPORT',
            entity_type: 'EVENTS',
            file_type: 'CSV',
            file_url: files.url('events.csv'),
            metadata: { dry_run: true },
          },
          ferry.pids.importer,
          rows,
        )
      : null;

    const customers = await benchCustomers(ferry, api);
    const load1 = os.loadavg()[0];
    const figures = {
      date: new Date().toISOString(),
      rows,
      file_mb: Number(mb.toFixed(1)),
      load_before: Number(load0.toFixed(1)),
      load_after: Number(load1.toFixed(1)),
      cores: os.cpus().length,
      import: {
        ferry_seconds: imp.seconds,
        psql_copy_seconds: copySeconds,
        two_parallel_copy_seconds: halvesSeconds,
        pgloader_seconds: pgloader?.seconds ?? null,
        pgloader_version: pgloader?.version ?? null,
        ratio_ferry_to_copy: ratio(imp.seconds, copySeconds),
        ratio_ferry_to_two_copies: ratio(imp.seconds, halvesSeconds),
        ratio_pgloader_to_ferry: pgloader ? ratio(pgloader.seconds, imp.seconds) : null,
        importer_peak_rss_mb: Math.max(imp.rssMb, json.rssMb, ndjson.rssMb, dryRun?.rssMb ?? 0),
        progress_updates: imp.progressUpdates,
        longest_progress_gap_seconds: imp.progressGapS,
      },
      json_import: {
        array_seconds: json.seconds,
        ndjson_seconds: ndjson.seconds,
        ratio_array_to_csv: ratio(json.seconds, imp.seconds),
        ratio_ndjson_to_csv: ratio(ndjson.seconds, imp.seconds),
      },
      dry_run: dryRun
        ? { seconds: dryRun.seconds, ratio_import_to_dry_run: ratio(imp.seconds, dryRun.seconds) }
        : null,
      export: {
        csv_seconds: exportCsv.seconds,
        json_seconds: exportJson.seconds,
        csv_file_mb: Number((Number(exportCsv.task.metadata.file_size) / 1e6).toFixed(1)),
        json_file_mb: Number((Number(exportJson.task.metadata.file_size) / 1e6).toFixed(1)),
        psql_copy_to_seconds: copyOutSeconds,
        ratio_csv_to_copy: ratio(exportCsv.seconds, copyOutSeconds),
        ratio_json_to_copy: ratio(exportJson.seconds, copyOutSeconds),
        rendering_seconds: rendering.seconds,
        ratio_rendering_to_copy: ratio(rendering.seconds, copyOutSeconds),
        exporter_idle_rss_mb: exporterIdle,
        exporter_peak_rss_mb: Math.max(exportCsv.rssMb, exportJson.rssMb),
      },
      customers,
    };
    const table = render(figures, customers, rows, mb);
    console.log('\n' + table);
    const out = path.join(ROOT, 'tmp/bench');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'latest.json'), JSON.stringify(figures, null, 2) + '\n');
    console.log(`\nwritten to ${path.relative(ROOT, path.join(out, 'latest.json'))}`);
    if (!flag('no-docs')) writeDocs(table);
  } finally {
    files.close();
    await ferry.stop();
    spawnSync('rm', ['-rf', dir]);
  }
}

type Figures = {
  date: string;
  load_before: number;
  load_after: number;
  cores: number;
  import: Record<string, any>;
  json_import: Record<string, number>;
  dry_run: { seconds: number; ratio_import_to_dry_run: number } | null;
  export: Record<string, any>;
};

/** The one table: every figure, its same-run baseline, the ratio and the goal (issue 17). */
function render(f: Figures, c: CustomersFigures, rows: number, mb: number): string {
  const i = f.import;
  const x = f.export;
  const j = f.json_import;
  const n = rows.toLocaleString('en');
  const lines: string[] = [
    `${f.date.slice(0, 16).replace('T', ' ')} UTC, ${f.cores} cores, load ${f.load_before} before / ${f.load_after} after (the machine may be shared: compare ratios, not times).`,
    '',
    `| ${n} events (${mb.toFixed(1)} MB CSV); ${c.rows.toLocaleString('en')} customers | Ferry | baseline, same run | ratio | goal |`,
    '| --- | --- | --- | --- | --- |',
    `| import events CSV, POST → COMPLETED, vs one \`psql \\copy\` | ${s(i.ferry_seconds)} (${perS(rows, i.ferry_seconds)}) | ${s(i.psql_copy_seconds)} | **${i.ratio_ferry_to_copy}** | ≤ 1.0 |`,
    `| the same vs two \`\\copy\` of half the rows in parallel (the machine's limit) | ${s(i.ferry_seconds)} | ${s(i.two_parallel_copy_seconds)} | ${i.ratio_ferry_to_two_copies} | |`,
    i.pgloader_seconds === null
      ? '| pgloader, the same file into a plain table | n/a (not run) | | | |'
      : `| pgloader ${i.pgloader_version}, the same rows into a plain table (its time ÷ Ferry's) | ${s(i.ferry_seconds)} | ${s(i.pgloader_seconds)} | **${i.ratio_pgloader_to_ferry}× faster** | ≥ 4× |`,
    `| import the same rows as a JSON array vs the CSV import | ${s(j.array_seconds)} | ${s(i.ferry_seconds)} | ${j.ratio_array_to_csv} | |`,
    `| import the same rows as NDJSON vs the CSV import | ${s(j.ndjson_seconds)} | ${s(i.ferry_seconds)} | ${j.ratio_ndjson_to_csv} | |`,
    f.dry_run
      ? dryRunTableLine(f.dry_run.seconds, i.ferry_seconds, f.dry_run.ratio_import_to_dry_run)
      : '| dry run of the CSV (`metadata.dry_run`) vs the import | n/a (this server has no dry run) | | | ≥ 2× |',
    `| export events CSV to the built-in store vs \`psql \\copy (select …) to\` | ${s(x.csv_seconds)} (${perS(rows, x.csv_seconds)}, ${x.csv_file_mb} MB) | ${s(x.psql_copy_to_seconds)} | **${x.ratio_csv_to_copy}** | ≤ 1.2 |`,
    `| the export's rendering alone: its COPY through Node's row counter into a sink (no store) | ${s(x.rendering_seconds)} | ${s(x.psql_copy_to_seconds)} | ${x.ratio_rendering_to_copy} | |`,
    `| export events JSON, beside it | ${s(x.json_seconds)} (${x.json_file_mb} MB) | ${s(x.psql_copy_to_seconds)} | ${x.ratio_json_to_copy} | |`,
    `| upsert ${c.rows.toLocaleString('en')} customers (${c.changed.toLocaleString('en')} changed, ${c.new.toLocaleString('en')} new) vs COPY + \`INSERT … ON CONFLICT\` | ${s(c.ferry_seconds)} (${perS(c.rows, c.ferry_seconds)}) | ${s(c.baseline_seconds)} | **${c.ratio_ferry_to_baseline}** | ≤ 1.2 |`,
    `| importer peak RSS (VmHWM, all imports of the run) | ${i.importer_peak_rss_mb} MB | | | ≤ 256 MB |`,
    `| exporter peak RSS (idle ${x.exporter_idle_rss_mb} MB) | ${x.exporter_peak_rss_mb} MB | | | ≤ 256 MB |`,
    `| import progress: counter updates seen (GET every 100 ms), longest stand-still | ${i.progress_updates}, ${i.longest_progress_gap_seconds === null ? 'n/a' : s(i.longest_progress_gap_seconds)} | | | ≤ 1 s after a batch |`,
  ];
  return lines.join('\n');
}

const BEGIN = '<!-- bench:latest (written by npm run bench) -->';
const END = '<!-- /bench:latest -->';

/** Replaces the table between the markers of docs/PERFORMANCE.md (added after its intro if absent). */
function writeDocs(table: string): void {
  const file = path.join(ROOT, 'docs/PERFORMANCE.md');
  const doc = readFileSync(file, 'utf8');
  const block = `${BEGIN}\n\n${table}\n\n${END}`;
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  const next =
    a >= 0 && b > a
      ? doc.slice(0, a) + block + doc.slice(b + END.length)
      : doc.replace(/\n## /, `\n## Latest \`npm run bench\`\n\n${block}\n\n## `);
  writeFileSync(file, next);
  // The repository's style for the table (npm test checks it).
  spawnSync(path.join(ROOT, 'node_modules/.bin/prettier'), ['--write', file], { stdio: 'ignore' });
  console.log('written to docs/PERFORMANCE.md');
}

/** Puts the dry run's line into the table of docs/PERFORMANCE.md (`--only dry-run`). */
function writeDryRunLine(line: string): void {
  const file = path.join(ROOT, 'docs/PERFORMANCE.md');
  writeFileSync(file, withDryRunLine(readFileSync(file, 'utf8'), line, BEGIN, END));
  spawnSync(path.join(ROOT, 'node_modules/.bin/prettier'), ['--write', file], { stdio: 'ignore' });
  console.log('the dry run line written to docs/PERFORMANCE.md');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
