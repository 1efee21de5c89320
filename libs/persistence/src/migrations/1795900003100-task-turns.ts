import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 16, fairness: the imports that wait for their tenant's turn (docs/DECISIONS.md 125). A
 * worker that takes a task whose tenant+environment already runs `FERRY_TENANT_MAX_RUNNING_IMPORTS`
 * imports of that entity type parks it here with its message and acks the delivery, so the
 * consumer moves on to the next tenant's message; the import that ends hands its turn to the
 * oldest parked one by publishing that message again. The turns themselves are session advisory
 * locks, so a killed worker's turn ends with its connection.
 */
export class TaskTurns1795900003100 implements MigrationInterface {
  name = 'TaskTurns1795900003100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE task_turn_waits (
        task_id text PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
        turn_key text NOT NULL,
        subject text NOT NULL,
        message jsonb NOT NULL,
        parked_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX task_turn_waits_key_idx ON task_turn_waits (turn_key, parked_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS task_turn_waits`);
  }
}
