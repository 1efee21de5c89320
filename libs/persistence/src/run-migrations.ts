import { createDataSource } from './data-source.factory';
import { runPendingMigrations } from './migration.runner';

/** For the CLI and test setup: connect, migrate under the lock, disconnect. */
export async function runMigrations(url: string): Promise<string[]> {
  const ds = createDataSource({ url, poolSize: 2, applicationName: 'ferry-migrate' });
  await ds.initialize();
  try {
    return await runPendingMigrations(ds);
  } finally {
    await ds.destroy();
  }
}
