import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 5: what the gateway's task sweeper needs to bound how often it re-drives a task left
 * PENDING or PROCESSING without news, and when to give it up.
 */
export class TaskSweeper1795900000300 implements MigrationInterface {
  name = 'TaskSweeper1795900000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks ADD COLUMN redrives int NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE tasks ADD COLUMN redriven_at timestamptz`);
    await q.query(
      `CREATE INDEX tasks_unfinished_idx ON tasks (updated_at)
        WHERE task_status IN ('PENDING', 'PROCESSING')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS tasks_unfinished_idx`);
    await q.query(`ALTER TABLE tasks DROP COLUMN redriven_at`);
    await q.query(`ALTER TABLE tasks DROP COLUMN redrives`);
  }
}
