import { randomBytes } from 'crypto';

import { type DataSource } from 'typeorm';

import { initDataSource } from '../data-source.factory';
import { createDatabaseIfMissing, dropDatabase } from '../database.admin';

/** The server the tests use; only its host, port and credentials matter. */
export const TEST_SERVER_URL =
  process.env['FERRY_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  /** A migrated data source on the database. */
  ds: DataSource;
  /** Closes `ds` (and any data source passed) and drops the database. */
  drop(...others: DataSource[]): Promise<void>;
}

/** A URL for a fresh database named `<prefix>_<random>` on the test server (not created yet). */
export function testDatabaseUrl(prefix = 'ferry_ut'): string {
  const u = new URL(TEST_SERVER_URL);
  u.pathname = `/${prefix}_${randomBytes(6).toString('hex')}`;
  return u.toString();
}

/**
 * Creates a uniquely named, migrated database for one spec file, so parallel test runs never
 * share rows. Call `drop()` in afterAll.
 */
export async function createTestDatabase(prefix = 'ferry_ut'): Promise<TestDatabase> {
  const url = testDatabaseUrl(prefix);
  await createDatabaseIfMissing(url);
  const ds = await initDataSource({ url, migrationsRun: true, poolSize: 5 });
  return {
    url,
    ds,
    async drop(...others: DataSource[]): Promise<void> {
      for (const d of [ds, ...others]) if (d.isInitialized) await d.destroy();
      await dropDatabase(url);
    },
  };
}
