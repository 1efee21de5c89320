import { createDatabaseIfMissing } from './database.admin';
import { runMigrations } from './run-migrations';

/**
 * The migration CLI's work, apart from `process` so it can be tested: reads DATABASE_URL,
 * optionally creates the database (`--create-database`), applies pending migrations, prints
 * what ran. Returns the exit code.
 */
export async function migrateCommand(
  env: Record<string, string | undefined>,
  argv: readonly string[],
  print: (line: string) => void,
): Promise<number> {
  const url = env['DATABASE_URL'];
  if (!url) {
    print('DATABASE_URL is not set');
    return 2;
  }
  try {
    if (argv.includes('--create-database') && (await createDatabaseIfMissing(url))) {
      print('created database');
    }
    const ran = await runMigrations(url);
    if (ran.length === 0) print('no pending migrations');
    for (const name of ran) print(`ran ${name}`);
    return 0;
  } catch (err) {
    print(`migration failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
