/**
 * The CUSTOMERS section of `npm run bench`: upserts a customers CSV (half changed existing
 * customers, half new ones) through the running system, then does the same upsert by hand in the
 * same run (COPY into a staging table + one `INSERT … ON CONFLICT DO UPDATE`, timed from the start
 * of the COPY to the commit) into a table of the same shape, indexes and pre-existing rows, and
 * prints the ratio. After the Ferry run it checks the counts, the table, and that both upserts
 * left the same customers.
 *
 *   npm run bench -- --only customers [--rows 100000] [--customers 50000]
 *   npm run bench -- --customer-rows 100000 --customers 50000   (with the events sections)
 */
import { mkdirSync, writeFileSync } from 'fs';
import path from 'path';
import { Readable } from 'stream';
import { pipeline } from 'stream/promises';

import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import { FerryApi } from '../support/api';
import { type FerrySystem, startFerry } from '../support/ferry-system';
import { FileServer } from '../support/file-server';

const ADDRESS =
  'address_line1,address_line2,address_city,address_state,address_postal_code,address_country';
const SETUP_HEADER = `external_id,name,email,${ADDRESS},metadata.plan,metadata.seats`;
const UPSERT_HEADER = `external_id,name,email,${ADDRESS},metadata.plan,metadata.region`;
const PLACES = [
  ['Berlin', 'BE', '10115', 'DE'],
  ['Paris', 'IDF', '75001', 'FR'],
  ['Austin', 'TX', '73301', 'US'],
  ['Leeds', 'WYK', 'LS1 4AP', 'GB'],
  ['Osaka', 'Osaka', '530-0001', 'JP'],
];
/** Columns both tables are compared on after the run (everything a file can set). */
const COMPARED = `external_id, name, email, ${ADDRESS.replace(/,/g, ', ')}, metadata`;

export interface CustomersOptions {
  /** Rows in the upsert file. */
  rows: number;
  /** Customers that exist before it (the first min(customers, rows/2) of them change). */
  customers: number;
}

export interface CustomersFigures {
  rows: number;
  existing_customers: number;
  changed: number;
  new: number;
  file_mb: number;
  ferry_seconds: number;
  ferry_rows_per_second: number;
  baseline_seconds: number;
  baseline_rows_per_second: number;
  ratio_ferry_to_baseline: number;
}

function numberArg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : undefined;
}

/** `--only customers`: run this section alone (its own Ferry), to iterate on it quickly. */
export function onlyCustomers(): boolean {
  const i = process.argv.indexOf('--only');
  return i > 0 && process.argv[i + 1] === 'customers';
}

export function customersOptions(): CustomersOptions {
  const rows = numberArg('customer-rows') ?? (onlyCustomers() ? numberArg('rows') : undefined);
  const r = rows ?? 100_000;
  return { rows: r, customers: numberArg('customers') ?? Math.floor(r / 2) };
}

function setupRow(j: number): string {
  const [city, state, postal, country] = PLACES[j % PLACES.length];
  return `c_${j},Customer ${j},c${j}@old.example,${j} Old Street,Suite ${j % 100},${city},${state},${postal},${country},basic,${j % 50}`;
}

/** Existing customers get a new name, email and address, a cleared line 2, and merged metadata. */
function upsertRow(j: number, existing: boolean): string {
  const [city, state, postal, country] = PLACES[(j + 2) % PLACES.length];
  return existing
    ? `c_${j},Customer ${j} Ltd,billing${j}@new.example,${j} New Road,,${city},${state},${postal},${country},pro,eu-${j % 3}`
    : `c_${j},Customer ${j},c${j}@new.example,${j} New Road,Floor ${j % 20},${city},${state},${postal},${country},basic,us-${j % 2}`;
}

/** The upsert file: changed and new customers interleaved, as an export from another system. */
function upsertCsv(o: CustomersOptions): { csv: string; changed: number } {
  const changed = Math.min(o.customers, Math.floor(o.rows / 2));
  const lines = [UPSERT_HEADER];
  const last = o.customers + o.rows - changed; // new customers are numbered after the old ones
  let old = 0;
  let fresh = o.customers;
  for (let i = 0; i < o.rows; i++) {
    const takeOld = old < changed && (i % 2 === 0 || fresh === last);
    lines.push(takeOld ? upsertRow(old++, true) : upsertRow(fresh++, false));
  }
  return { csv: lines.join('\n') + '\n', changed };
}

function csvOf(header: string, rows: number, row: (i: number) => string): string {
  const lines = [header];
  for (let i = 0; i < rows; i++) lines.push(row(i));
  return lines.join('\n') + '\n';
}

async function importCustomers(api: FerryApi, url: string, rows: number): Promise<any> {
  const created = await api.createTask({
    task_type: 'IMPORT',
    entity_type: 'CUSTOMERS',
    file_type: 'CSV',
    file_url: url,
  });
  if (created.status !== 202)
    throw new Error(`POST customers import: ${created.status} ${JSON.stringify(created.body)}`);
  const done = await api.waitForTask(created.body.id, 30 * 60_000);
  if (
    done.task_status !== 'COMPLETED' ||
    done.successful_records !== rows ||
    done.failed_records !== 0
  ) {
    throw new Error(`customers import did not complete cleanly: ${JSON.stringify(done)}`);
  }
  return done;
}

/**
 * The hand-written upsert a DBA would write: COPY the same CSV into a staging table, then one
 * INSERT … ON CONFLICT DO UPDATE (same semantics for this file: every column present, blank
 * clears, metadata merges), in one transaction. Timed from the start of the COPY to the commit.
 */
async function baseline(
  databaseUrl: string,
  csv: string,
  scope: { env: string; tenant: string },
): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const cols = ADDRESS.split(',');
    const t0 = Date.now();
    await client.query('BEGIN');
    await client.query(
      `CREATE TEMP TABLE stage (external_id text, name text, email text, ${cols.map((c) => `${c} text`).join(', ')}, meta_plan text, meta_region text) ON COMMIT DROP`,
    );
    await pipeline(
      Readable.from([csv]),
      client.query(copyFrom('COPY stage FROM STDIN (FORMAT csv, HEADER true)')),
    );
    await client.query(
      `INSERT INTO bench_baseline.customers AS c (id, tenant_id, environment_id, external_id, name, email, ${cols.join(', ')}, metadata, task_id)
       SELECT 'cust_' || md5(s.external_id), $1, $2, s.external_id, s.name, s.email, ${cols.map((c) => `s.${c}`).join(', ')},
              jsonb_strip_nulls(jsonb_build_object('plan', s.meta_plan, 'region', s.meta_region)), 'bench'
       FROM stage s
       ON CONFLICT (environment_id, external_id) DO UPDATE SET name = excluded.name, email = excluded.email,
         ${cols.map((c) => `${c} = excluded.${c}`).join(', ')},
         metadata = c.metadata || excluded.metadata, task_id = excluded.task_id, updated_at = now()`,
      [scope.tenant, scope.env],
    );
    await client.query('COMMIT');
    return (Date.now() - t0) / 1000;
  } finally {
    await client.end();
  }
}

/** Exact counts, changed rows really changed, and the same customers as the hand-written upsert. */
async function verify(ferry: FerrySystem, env: string, o: CustomersOptions, changed: number) {
  const {
    rows: [c],
  } = await ferry.db.query(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE metadata ? 'seats')::int AS existing,
            count(*) FILTER (WHERE metadata ? 'seats' AND name LIKE '% Ltd' AND email LIKE 'billing%@new.example'
              AND address_line1 LIKE '% New Road' AND address_line2 IS NULL
              AND metadata->>'plan' = 'pro' AND metadata ? 'region')::int AS changed
     FROM customers WHERE environment_id = $1`,
    [env],
  );
  const expected = { total: o.customers + o.rows - changed, existing: o.customers, changed };
  if (c.total !== expected.total || c.existing !== expected.existing || c.changed !== changed) {
    throw new Error(
      `customers after the import: ${JSON.stringify(c)}, expected ${JSON.stringify(expected)}`,
    );
  }
  const {
    rows: [diff],
  } = await ferry.db.query(
    `SELECT (SELECT count(*) FROM (SELECT ${COMPARED} FROM customers WHERE environment_id = $1
               EXCEPT SELECT ${COMPARED} FROM bench_baseline.customers) a)::int AS only_ferry,
            (SELECT count(*) FROM (SELECT ${COMPARED} FROM bench_baseline.customers
               EXCEPT SELECT ${COMPARED} FROM customers WHERE environment_id = $1) b)::int AS only_baseline`,
    [env],
  );
  if (diff.only_ferry !== 0 || diff.only_baseline !== 0) {
    throw new Error(`Ferry and the hand-written upsert disagree: ${JSON.stringify(diff)}`);
  }
}

/**
 * Runs the section on a running Ferry: 50k customers imported first (not timed), copied as they
 * are into a baseline table of the same shape; then the timed upsert through Ferry and by hand.
 */
export async function benchCustomers(
  ferry: FerrySystem,
  api: FerryApi,
  o: CustomersOptions = customersOptions(),
): Promise<CustomersFigures> {
  const files = await new FileServer().start();
  try {
    const setup = await importCustomers(
      api,
      files.add('customers-setup.csv', csvOf(SETUP_HEADER, o.customers, setupRow)),
      o.customers,
    );
    const env = setup.environment_id as string;
    await ferry.db.query(
      `DROP SCHEMA IF EXISTS bench_baseline CASCADE; CREATE SCHEMA bench_baseline`,
    );
    await ferry.db.query(
      'CREATE TABLE bench_baseline.customers (LIKE public.customers INCLUDING ALL)',
    );
    await ferry.db.query(
      'INSERT INTO bench_baseline.customers SELECT * FROM customers WHERE environment_id = $1',
      [env],
    );
    await ferry.db.query('VACUUM ANALYZE customers');
    await ferry.db.query('VACUUM ANALYZE bench_baseline.customers');

    const { csv, changed } = upsertCsv(o);
    const url = files.add('customers.csv', csv);
    const t0 = Date.now();
    await importCustomers(api, url, o.rows);
    const ferrySeconds = (Date.now() - t0) / 1000;
    const baselineSeconds = await baseline(ferry.databaseUrl, csv, {
      env,
      tenant: setup.tenant_id,
    });
    await verify(ferry, env, o, changed);
    return {
      rows: o.rows,
      existing_customers: o.customers,
      changed,
      new: o.rows - changed,
      file_mb: Number((Buffer.byteLength(csv) / 1e6).toFixed(1)),
      ferry_seconds: ferrySeconds,
      ferry_rows_per_second: Math.round(o.rows / ferrySeconds),
      baseline_seconds: baselineSeconds,
      baseline_rows_per_second: Math.round(o.rows / baselineSeconds),
      ratio_ferry_to_baseline: Number((ferrySeconds / baselineSeconds).toFixed(2)),
    };
  } finally {
    await files.stop();
  }
}

export function printCustomers(f: CustomersFigures): void {
  console.log(
    `\n| upsert of ${f.rows} customers (${f.changed} changed of ${f.existing_customers}, ${f.new} new) | time | rows/s |`,
  );
  console.log('|---|---|---|');
  console.log(
    `| Ferry, POST → COMPLETED | ${f.ferry_seconds.toFixed(2)} s | ${f.ferry_rows_per_second} |`,
  );
  console.log(
    `| COPY into staging + INSERT … ON CONFLICT DO UPDATE (same rows, same table) | ${f.baseline_seconds.toFixed(2)} s | ${f.baseline_rows_per_second} |`,
  );
  console.log(`| ratio Ferry / staging + ON CONFLICT | ${f.ratio_ferry_to_baseline} | |`);
}

/** `npm run bench -- --only customers`: this section alone, on its own Ferry. */
export async function benchCustomersOnly(root: string): Promise<void> {
  const ferry = await startFerry({ env: { LOG_LEVEL: 'warn' } });
  try {
    const customers = await benchCustomers(ferry, new FerryApi(ferry.baseUrl, ferry.apiKey));
    printCustomers(customers);
    const out = path.join(root, 'tmp/bench');
    mkdirSync(out, { recursive: true });
    const figures = { date: new Date().toISOString(), customers };
    writeFileSync(path.join(out, 'latest.json'), JSON.stringify(figures, null, 2) + '\n');
    console.log(`\nwritten to ${path.relative(root, path.join(out, 'latest.json'))}`);
  } finally {
    await ferry.stop();
  }
}
