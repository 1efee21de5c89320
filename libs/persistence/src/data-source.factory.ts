import { DataSource } from 'typeorm';

import { PERSISTENCE_ENTITIES } from './entities/entity.list';
import { runPendingMigrations } from './migration.runner';
import { PERSISTENCE_MIGRATIONS } from './migrations/migration.list';
import { type PersistenceConfig } from './persistence.config';

/** A configured, not yet initialised data source. The schema comes from migrations only. */
export function createDataSource(cfg: PersistenceConfig): DataSource {
  return new DataSource({
    type: 'postgres',
    url: cfg.url,
    entities: PERSISTENCE_ENTITIES,
    migrations: PERSISTENCE_MIGRATIONS,
    migrationsTransactionMode: 'all',
    synchronize: false,
    // Migrations run through initDataSource, under the advisory lock, never by TypeORM itself.
    migrationsRun: false,
    logging: cfg.logging ?? false,
    poolSize: cfg.poolSize,
    applicationName: cfg.applicationName,
  });
}

/** Connects and, when `migrationsRun`, applies pending migrations before returning. */
export async function initDataSource(cfg: PersistenceConfig): Promise<DataSource> {
  const ds = createDataSource(cfg);
  await ds.initialize();
  if (cfg.migrationsRun) {
    try {
      await runPendingMigrations(ds);
    } catch (err) {
      await ds.destroy();
      throw err;
    }
  }
  return ds;
}
