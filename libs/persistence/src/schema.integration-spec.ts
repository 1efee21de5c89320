import { Client } from 'pg';

import { EntityType, FileType, RecordStatus, TaskStatus, TaskType } from '@ferry/contracts';

import { createDataSource, initDataSource } from './data-source.factory';
import { createDatabaseIfMissing, dropDatabase } from './database.admin';
import { runPendingMigrations } from './migration.runner';
import { PERSISTENCE_MIGRATIONS } from './migrations/migration.list';
import { runMigrations } from './run-migrations';
import { createTestDatabase, type TestDatabase, testDatabaseUrl } from './testing/test-database';

const TABLES = [
  'tenants',
  'environments',
  'api_keys',
  'tasks',
  'outbox',
  'events',
  'task_checkpoints',
  'task_row_errors',
  'task_row_warnings',
  'uploads',
  'customers',
  'features',
  'meters',
  'prices',
];

describe('schema and migrations', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('creates every table', async () => {
    const rows: { table_name: string }[] = await db.ds.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    const names = rows.map((r) => r.table_name);
    expect(names).toEqual(expect.arrayContaining([...TABLES, 'migrations']));
  });

  it('records the migration and a second run does nothing', async () => {
    const executed: { name: string }[] = await db.ds.query('SELECT name FROM migrations');
    expect(executed.map((r) => r.name)).toEqual(PERSISTENCE_MIGRATIONS.map((m) => m.name));
    await expect(runPendingMigrations(db.ds)).resolves.toEqual([]);
    await expect(runMigrations(db.url)).resolves.toEqual([]);
  });

  it('creates the indexes of the hot queries, and on events only its key, its window and its task', async () => {
    const rows: { tablename: string; indexname: string; indexdef: string }[] = await db.ds.query(
      `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'`,
    );
    const def = (name: string): string | undefined =>
      rows.find((r) => r.indexname === name)?.indexdef;
    expect(def('tasks_scope_created_idx')).toContain(
      '(tenant_id, environment_id, created_at DESC, id DESC)',
    );
    expect(def('tasks_idempotency_key_uq')).toMatch(
      /UNIQUE .*WHERE \(idempotency_key IS NOT NULL\)/,
    );
    expect(def('outbox_unpublished_idx')).toMatch(/\(id\) WHERE \(published_at IS NULL\)/);
    expect(
      rows
        .filter((r) => r.tablename === 'events')
        .map((r) => r.indexname)
        .sort(),
    ).toEqual(['events_pkey', 'events_scope_time_idx', 'events_task_idx']);
    expect(def('events_pkey')).toContain('(environment_id, id, "timestamp")');
    expect(def('api_keys_key_hash_key')).toContain('UNIQUE');
  });

  // The migration spells the enum values out; this fails when contracts gain a value without a
  // migration that widens the constraint.
  it.each([
    ['tasks_task_type_check', Object.values(TaskType)],
    ['tasks_entity_type_check', Object.values(EntityType)],
    ['tasks_file_type_check', Object.values(FileType)],
    ['tasks_task_status_check', Object.values(TaskStatus)],
    ['tasks_status_check', Object.values(RecordStatus)],
  ])('CHECK %s allows exactly the contracts enum values', async (name, values) => {
    const rows: { def: string }[] = await db.ds.query(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = $1`,
      [name],
    );
    expect(rows).toHaveLength(1);
    const allowed = [...rows[0].def.matchAll(/'([^']+)'/g)].map((m) => m[1]);
    expect(allowed.sort()).toEqual([...values].sort());
  });

  it('keeps checkpoints in task_checkpoints, its key and cascade named after it', async () => {
    const rows: { conname: string }[] = await db.ds.query(
      `SELECT conname FROM pg_constraint WHERE conrelid = 'task_checkpoints'::regclass
        ORDER BY conname`,
    );
    expect(rows.map((r) => r.conname)).toEqual([
      'task_checkpoints_pkey',
      'task_checkpoints_task_id_fkey',
    ]);
    const [{ old }]: { old: string | null }[] = await db.ds.query(
      `SELECT to_regclass('import_checkpoints')::text AS old`,
    );
    expect(old).toBeNull();
  });

  it('rejects a task with a value outside an enum', async () => {
    await expect(
      db.ds.query(
        `INSERT INTO tasks (id, tenant_id, environment_id, task_type, entity_type, file_type, file_url)
         VALUES ('task_x', 't', 'e', 'IMPORT', 'EVENTS', 'XML', 'https://x')`,
      ),
    ).rejects.toThrow(/tasks_file_type_check/);
  });

  it('applies column defaults', async () => {
    await db.ds.query(
      `INSERT INTO tasks (id, tenant_id, environment_id, task_type, entity_type, file_type, file_url)
       VALUES ('task_defaults', 't', 'e', 'EXPORT', 'CUSTOMERS', 'JSON', 'store://b/')`,
    );
    const [row] = await db.ds.query(`SELECT * FROM tasks WHERE id = 'task_defaults'`);
    expect(row).toMatchObject({
      task_status: 'PENDING',
      status: 'published',
      metadata: {},
      processed_records: '0',
      attempt: 0,
    });
  });
});

describe('migrations racing', () => {
  it('three data sources migrating one empty database at once all succeed', async () => {
    const url = testDatabaseUrl();
    await createDatabaseIfMissing(url);
    try {
      const results = await Promise.allSettled(
        [1, 2, 3].map(() => initDataSource({ url, migrationsRun: true, poolSize: 2 })),
      );
      const sources = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      await Promise.all(sources.map((ds) => ds.destroy()));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      const client = new Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query('SELECT count(*)::int AS n FROM migrations');
      await client.end();
      expect(rows[0].n).toBe(PERSISTENCE_MIGRATIONS.length);
    } finally {
      await dropDatabase(url);
    }
  });
});

describe('database admin', () => {
  it('createDatabaseIfMissing creates once, dropDatabase removes', async () => {
    const url = testDatabaseUrl();
    try {
      await expect(createDatabaseIfMissing(url)).resolves.toBe(true);
      await expect(createDatabaseIfMissing(url)).resolves.toBe(false);
    } finally {
      await dropDatabase(url);
    }
    await expect(createDatabaseIfMissing(url)).resolves.toBe(true);
    await dropDatabase(url);
    await expect(dropDatabase(url)).resolves.toBeUndefined();
  });

  it('createDataSource never synchronizes and lists classes, not globs', () => {
    const ds = createDataSource({ url: 'postgres://u@127.0.0.1:1/x' });
    expect(ds.options.synchronize).toBe(false);
    expect(ds.options.migrationsRun).toBe(false);
    for (const e of ds.options.entities as unknown[]) expect(typeof e).toBe('function');
    for (const m of ds.options.migrations as unknown[]) expect(typeof m).toBe('function');
  });
});
