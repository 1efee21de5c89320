/**
 * `npm run bench`: imports a generated events CSV through the running system (four services,
 * NATS, PostgreSQL) and loads the same rows with `psql \copy` in the same run, then prints the
 * ratio; then exports the imported rows (EVENTS CSV into the built-in store) and times
 * `psql \copy (select …) to` of the same rows, same columns, same order. Figures are written to tmp/bench/latest.json for comparison across runs.
 *
 *   npm run bench -- --rows 1000000
 *   npm run bench -- --only customers   (the customers upsert alone: see customers.bench.ts)
 */
import { spawnSync } from 'child_process';
import { createReadStream, createWriteStream, mkdirSync, statSync, writeFileSync } from 'fs';
import http from 'http';
import { type AddressInfo } from 'net';
import os from 'os';
import path from 'path';

import { FerryApi } from '../support/api';
import { eventRow, EVENTS_HEADER } from '../support/events-csv';
import { startFerry } from '../support/ferry-system';
import {
  benchCustomers,
  benchCustomersOnly,
  onlyCustomers,
  printCustomers,
} from './customers.bench';

const ROOT = path.resolve(__dirname, '../..');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function writeLines(file: string, header: string, rows: number, line: (i: number) => string) {
  const out = createWriteStream(file);
  out.write(header + '\n');
  let chunk: string[] = [];
  for (let i = 0; i < rows; i++) {
    chunk.push(line(i));
    if (chunk.length === 10_000 || i === rows - 1) {
      if (!out.write(chunk.join('\n') + '\n'))
        await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = [];
    }
  }
  await new Promise<void>((r, j) => out.end((err?: Error | null) => (err ? j(err) : r())));
}

/** The same row in the events table's own column layout, for `\copy`. */
function copyRow(i: number, env: string, tenant: string): string {
  const [id, name, customer, ts, source, region, tokens, model] = eventRow(i).split(',');
  const props = JSON.stringify({ region, tokens, model }).replace(/"/g, '""');
  return `${env},${id},${tenant},${name},${customer},,${ts},${source},"${props}",bench`;
}

function serve(file: string): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/csv', 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events.csv`,
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

async function main() {
  if (onlyCustomers()) return benchCustomersOnly(ROOT);
  const rows = arg('rows', 1_000_000);
  const dir = path.join(os.tmpdir(), `ferry-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const csv = path.join(dir, 'events.csv');
  await writeLines(csv, EVENTS_HEADER, rows, (i) => eventRow(i));
  const mb = statSync(csv).size / 1e6;
  console.log(`generated ${rows} rows, ${mb.toFixed(1)} MB`);

  const file = await serve(csv);
  const ferry = await startFerry({ env: { LOG_LEVEL: 'warn' } });
  try {
    const api = new FerryApi(ferry.baseUrl, ferry.apiKey);
    // Ferry: POST → COMPLETED through all four services.
    const t0 = Date.now();
    const created = await api.createTask({
      task_type: 'IMPORT',
      entity_type: 'EVENTS',
      file_type: 'CSV',
      file_url: file.url,
    });
    let rssPeak = 0;
    const done = await api.waitForTask(created.body.id, 30 * 60_000, () => {
      rssPeak = Math.max(rssPeak, peakRssMb(ferry.pids.importer) ?? 0);
    });
    const ferrySeconds = (Date.now() - t0) / 1000;
    if (done.task_status !== 'COMPLETED' || done.successful_records !== rows) {
      throw new Error(`import did not complete cleanly: ${JSON.stringify(done)}`);
    }

    // Baseline: psql \copy of the same rows into a table of the same shape and indexes.
    const env = done.environment_id as string;
    const copyFile = path.join(dir, 'events-copy.csv');
    await writeLines(
      copyFile,
      'environment_id,id,tenant_id,event_name,external_customer_id,customer_id,timestamp,source,properties,task_id',
      rows,
      (i) => copyRow(i, `${env}_copy`, done.tenant_id),
    );
    await ferry.db.query('CREATE TABLE bench_events (LIKE events INCLUDING ALL)');
    const t1 = Date.now();
    const psql = spawnSync(
      'psql',
      [
        ferry.databaseUrl,
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `\\copy bench_events(environment_id,id,tenant_id,event_name,external_customer_id,customer_id,timestamp,source,properties,task_id) from '${copyFile}' csv header`,
      ],
      { encoding: 'utf8' },
    );
    const copySeconds = (Date.now() - t1) / 1000;
    if (psql.status !== 0) throw new Error(`psql \\copy failed: ${psql.stderr}`);

    // Export: the imported rows as CSV into the built-in store, POST → COMPLETED.
    const rssBefore = peakRssMb(ferry.pids.exporter);
    const t2 = Date.now();
    const exportTask = await api.createTask({
      task_type: 'EXPORT',
      entity_type: 'EVENTS',
      file_type: 'CSV',
      file_url: 'store://exports/',
    });
    let exportRssPeak = 0;
    const exported = await api.waitForTask(exportTask.body.id, 30 * 60_000, () => {
      exportRssPeak = Math.max(exportRssPeak, peakRssMb(ferry.pids.exporter) ?? 0);
    });
    const exportSeconds = (Date.now() - t2) / 1000;
    if (exported.task_status !== 'COMPLETED' || exported.total_records !== rows) {
      throw new Error(`export did not complete cleanly: ${JSON.stringify(exported)}`);
    }
    // Baseline: psql \copy (select …) to a file, the same columns rendered the same way, in order.
    const utc = (c: string) =>
      `regexp_replace(to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '\\.?0+Z$', 'Z')`;
    const select =
      `SELECT id AS event_id, event_name, external_customer_id, customer_id, ${utc('timestamp')} AS timestamp, ` +
      `source, properties::text AS properties, ${utc('ingested_at')} AS created_at FROM events ` +
      `WHERE tenant_id = '${done.tenant_id}' AND environment_id = '${env}' ORDER BY timestamp, id`;
    const t3 = Date.now();
    const psqlOut = spawnSync(
      'psql',
      [
        ferry.databaseUrl,
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `\\copy (${select}) to '${path.join(dir, 'export-copy.csv')}' csv header`,
      ],
      { encoding: 'utf8' },
    );
    const copyOutSeconds = (Date.now() - t3) / 1000;
    if (psqlOut.status !== 0) throw new Error(`psql \\copy to failed: ${psqlOut.stderr}`);

    const customers = await benchCustomers(ferry, api);
    const figures = {
      date: new Date().toISOString(),
      rows,
      file_mb: Number(mb.toFixed(1)),
      import: {
        ferry_seconds: ferrySeconds,
        ferry_rows_per_second: Math.round(rows / ferrySeconds),
        importer_peak_rss_mb: Math.max(rssPeak, peakRssMb(ferry.pids.importer) ?? 0),
        psql_copy_seconds: copySeconds,
        ratio_ferry_to_copy: Number((ferrySeconds / copySeconds).toFixed(2)),
      },
      export: {
        ferry_seconds: exportSeconds,
        ferry_rows_per_second: Math.round(rows / exportSeconds),
        file_mb: Number((Number(exported.metadata.file_size) / 1e6).toFixed(1)),
        exporter_rss_mb_before: rssBefore,
        exporter_peak_rss_mb: Math.max(exportRssPeak, peakRssMb(ferry.pids.exporter) ?? 0),
        psql_copy_to_seconds: copyOutSeconds,
        ratio_ferry_to_copy: Number((exportSeconds / copyOutSeconds).toFixed(2)),
      },
      customers,
    };
    console.log('\n| import of events CSV | time | rows/s |');
    console.log('|---|---|---|');
    console.log(
      `| Ferry, POST → COMPLETED | ${ferrySeconds.toFixed(2)} s | ${figures.import.ferry_rows_per_second} |`,
    );
    console.log(
      `| psql \\copy (same rows, same table shape) | ${copySeconds.toFixed(2)} s | ${Math.round(rows / copySeconds)} |`,
    );
    console.log(`| ratio Ferry / \\copy | ${figures.import.ratio_ferry_to_copy} | |`);
    console.log(`| importer peak RSS | ${figures.import.importer_peak_rss_mb} MB | |`);
    const x = figures.export;
    console.log('\n| export of events CSV | time | rows/s |');
    console.log('|---|---|---|');
    console.log(
      `| Ferry, POST → COMPLETED (store://) | ${exportSeconds.toFixed(2)} s | ${x.ferry_rows_per_second} |`,
    );
    console.log(
      `| psql \\copy (select …) to (same rows, columns, order) | ${copyOutSeconds.toFixed(2)} s | ${Math.round(rows / copyOutSeconds)} |`,
    );
    console.log(`| ratio Ferry / \\copy | ${x.ratio_ferry_to_copy} | |`);
    console.log(
      `| exporter peak RSS (before the export) | ${x.exporter_peak_rss_mb} MB (${x.exporter_rss_mb_before} MB) | |`,
    );
    printCustomers(customers);
    const out = path.join(ROOT, 'tmp/bench');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'latest.json'), JSON.stringify(figures, null, 2) + '\n');
    console.log(`\nwritten to ${path.relative(ROOT, path.join(out, 'latest.json'))}`);
  } finally {
    file.close();
    await ferry.stop();
    spawnSync('rm', ['-rf', dir]);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
