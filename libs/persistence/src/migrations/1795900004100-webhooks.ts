import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 15, webhooks (docs/API.md §6). `task_end_events` is filled by a trigger on `tasks`, in the
 * very transaction that moves a task to COMPLETED or FAILED, whoever writes it (the status
 * service, a cancel, the sweeper, the scheduler): no end is missed and none is told twice for one
 * move. The gateway's webhook relay turns each into one delivery per URL (the environment's
 * endpoints, the task's `metadata.webhook_url`), and each delivery keeps its attempts.
 */
export class Webhooks1795900004100 implements MigrationInterface {
  name = 'Webhooks1795900004100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_endpoints (
        id text PRIMARY KEY,
        tenant_id text NOT NULL,
        environment_id text NOT NULL,
        url text NOT NULL,
        description text NULL,
        secret text NOT NULL,
        status text NOT NULL DEFAULT 'published'
          CONSTRAINT webhook_endpoints_status_check CHECK (status IN ('published', 'archived')),
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NULL
      )`);
    await q.query(
      'CREATE INDEX webhook_endpoints_scope_idx ON webhook_endpoints (tenant_id, environment_id)',
    );
    // The signing secret of the URLs tasks name themselves, one per environment.
    await q.query(`
      CREATE TABLE webhook_secrets (
        environment_id text PRIMARY KEY,
        tenant_id text NOT NULL,
        secret text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE task_end_events (
        seq bigserial PRIMARY KEY,
        task_id text NOT NULL,
        attempt int NOT NULL,
        task_status text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE FUNCTION ferry_task_ended() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO task_end_events (task_id, attempt, task_status)
        VALUES (NEW.id, NEW.attempt, NEW.task_status);
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER tasks_ended AFTER UPDATE OF task_status ON tasks
      FOR EACH ROW WHEN (NEW.task_status IN ('COMPLETED', 'FAILED')
                         AND OLD.task_status IS DISTINCT FROM NEW.task_status)
      EXECUTE FUNCTION ferry_task_ended()`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id text PRIMARY KEY,
        tenant_id text NOT NULL,
        environment_id text NOT NULL,
        task_id text NOT NULL,
        event_type text NOT NULL,
        endpoint_id text NULL,
        url text NOT NULL,
        -- text, not jsonb: the body is sent (and signed) byte for byte, fields in TaskResponse order
        payload text NOT NULL,
        state text NOT NULL DEFAULT 'pending'
          CONSTRAINT webhook_deliveries_state_check CHECK (state IN ('pending', 'delivered', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NULL DEFAULT now(),
        last_status int NULL,
        last_error text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz NULL
      )`);
    await q.query(
      `CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE state = 'pending'`,
    );
    await q.query(
      'CREATE INDEX webhook_deliveries_task_idx ON webhook_deliveries (tenant_id, environment_id, task_id)',
    );
    await q.query(`
      CREATE TABLE webhook_attempts (
        delivery_id text NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
        n int NOT NULL,
        attempted_at timestamptz NOT NULL DEFAULT now(),
        status_code int NULL,
        error text NULL,
        duration_ms int NOT NULL,
        PRIMARY KEY (delivery_id, n)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS webhook_attempts');
    await q.query('DROP TABLE IF EXISTS webhook_deliveries');
    await q.query('DROP TRIGGER IF EXISTS tasks_ended ON tasks');
    await q.query('DROP FUNCTION IF EXISTS ferry_task_ended()');
    await q.query('DROP TABLE IF EXISTS task_end_events');
    await q.query('DROP TABLE IF EXISTS webhook_secrets');
    await q.query('DROP TABLE IF EXISTS webhook_endpoints');
  }
}
