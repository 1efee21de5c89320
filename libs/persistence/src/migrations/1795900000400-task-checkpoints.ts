import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `import_checkpoints` becomes `task_checkpoints`: besides an import's resume point it holds the
 * status sequence of every task, exports included (docs/ARCHITECTURE.md invariants 2, 3 and 6).
 * Its constraints follow the name. Workers of the previous version still running while the
 * migration runs fail their checkpoint queries; that is a retryable error, so their deliveries
 * are redelivered to the new workers.
 */
export class TaskCheckpoints1795900000400 implements MigrationInterface {
  name = 'TaskCheckpoints1795900000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_checkpoints RENAME TO task_checkpoints`);
    await q.query(
      `ALTER TABLE task_checkpoints RENAME CONSTRAINT import_checkpoints_pkey TO task_checkpoints_pkey`,
    );
    await q.query(
      `ALTER TABLE task_checkpoints
         RENAME CONSTRAINT import_checkpoints_task_id_fkey TO task_checkpoints_task_id_fkey`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE task_checkpoints
         RENAME CONSTRAINT task_checkpoints_task_id_fkey TO import_checkpoints_task_id_fkey`,
    );
    await q.query(
      `ALTER TABLE task_checkpoints RENAME CONSTRAINT task_checkpoints_pkey TO import_checkpoints_pkey`,
    );
    await q.query(`ALTER TABLE task_checkpoints RENAME TO import_checkpoints`);
  }
}
