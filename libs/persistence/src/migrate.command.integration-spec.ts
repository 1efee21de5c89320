import { dropDatabase } from './database.admin';
import { migrateCommand } from './migrate.command';
import { PERSISTENCE_MIGRATIONS } from './migrations/migration.list';
import { testDatabaseUrl } from './testing/test-database';

describe('migrateCommand', () => {
  const url = testDatabaseUrl();
  afterAll(() => dropDatabase(url));

  it('needs DATABASE_URL', async () => {
    const out: string[] = [];
    expect(await migrateCommand({}, [], (l) => out.push(l))).toBe(2);
    expect(out).toEqual(['DATABASE_URL is not set']);
  });

  it('fails with a message when the database is missing and not to be created', async () => {
    const out: string[] = [];
    expect(await migrateCommand({ DATABASE_URL: url }, [], (l) => out.push(l))).toBe(1);
    expect(out[0]).toMatch(/^migration failed: .*does not exist/);
  });

  it('creates the database, prints what ran, then nothing is pending', async () => {
    const out: string[] = [];
    expect(
      await migrateCommand({ DATABASE_URL: url }, ['--create-database'], (l) => out.push(l)),
    ).toBe(0);
    expect(out).toEqual([
      'created database',
      ...PERSISTENCE_MIGRATIONS.map((m) => `ran ${m.name}`),
    ]);
    const again: string[] = [];
    expect(
      await migrateCommand({ DATABASE_URL: url }, ['--create-database'], (l) => again.push(l)),
    ).toBe(0);
    expect(again).toEqual(['no pending migrations']);
  });
});
