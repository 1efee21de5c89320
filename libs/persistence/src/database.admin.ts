import { Client } from 'pg';

/** Identifier quoting for the two statements that cannot take a bind parameter. */
function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new Error(`Database URL ${redact(url)} names no database`);
  return name;
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** The same server's maintenance database, where CREATE / DROP DATABASE run. */
function maintenanceUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

async function withMaintenanceClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: maintenanceUrl(url) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Postgres error codes of a lost CREATE DATABASE race. */
const ALREADY_EXISTS_CODES = new Set([
  '42P04' /* duplicate_database */,
  '23505' /* unique_violation */,
]);

/** Creates the URL's database when the server lacks it. True when it was created now. */
export async function createDatabaseIfMissing(url: string): Promise<boolean> {
  const name = databaseName(url);
  return withMaintenanceClient(url, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
      return true;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code && ALREADY_EXISTS_CODES.has(code)) return false;
      throw err;
    }
  });
}

/** Drops the URL's database, disconnecting its sessions first (tests only). */
export async function dropDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  await withMaintenanceClient(url, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  });
}
