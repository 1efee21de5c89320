import { type DataSource, MigrationExecutor } from 'typeorm';

import { ADVISORY_LOCKS } from './advisory-locks';

/**
 * Applies pending migrations on one connection that holds `pg_advisory_lock`: when four services
 * start at once, the first migrates and the others wait, then find nothing pending. Returns the
 * names of the migrations it ran.
 */
export async function runPendingMigrations(ds: DataSource): Promise<string[]> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    await qr.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCKS.migrations]);
    try {
      // The executor runs on the locked connection; TypeORM's own runMigrations would take
      // another one from the pool and run outside the lock.
      const executor = new MigrationExecutor(ds, qr);
      executor.transaction = 'all';
      const ran = await executor.executePendingMigrations();
      return ran.map((m) => m.name);
    } finally {
      await qr.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCKS.migrations]);
    }
  } finally {
    await qr.release();
  }
}
