/**
 * Entry point: `DATABASE_URL=postgres://… node migrate.js [--create-database]`. Applies pending
 * migrations (under the same advisory lock the services take) and prints their names.
 */
import { migrateCommand } from './migrate.command';

migrateCommand(process.env, process.argv.slice(2), (line) => console.log(line)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
