import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 15, revert of an import (docs/API.md §5): the before-image of every existing row an
 * import changed (customers, features and their meters), written in the batch's transaction just
 * before the upsert, the first one per task and row only, so it is the row as it was before the
 * task, however often the task's batches touched it or were delivered. Kept
 * `FERRY_REVERT_RETENTION_DAYS` (the gateway's sweeper deletes older ones). Rows an import created
 * need no image: they carry its `task_id`. One revert per import, ever: a unique index on
 * `metadata->>'revert_of'` of the revert tasks.
 */
export class ImportRevert1795900004000 implements MigrationInterface {
  name = 'ImportRevert1795900004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE import_before_images (
        task_id text NOT NULL,
        entity_type text NOT NULL,
        row_id text NOT NULL,
        image jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (task_id, entity_type, row_id)
      )`);
    await q.query(
      'CREATE INDEX import_before_images_created_idx ON import_before_images (created_at)',
    );
    await q.query(
      `CREATE UNIQUE INDEX tasks_revert_of_uq ON tasks ((metadata->>'revert_of')) WHERE metadata ? 'revert_of'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX IF EXISTS tasks_revert_of_uq');
    await q.query('DROP TABLE IF EXISTS import_before_images');
  }
}
