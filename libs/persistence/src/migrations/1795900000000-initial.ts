import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The first schema. Hand-written and frozen: the enum values in the CHECK constraints are literal
 * here on purpose (a later enum value needs a new migration); `schema.spec.ts` fails when the
 * contracts enums and these constraints drift apart.
 */
export class Initial1795900000000 implements MigrationInterface {
  name = 'Initial1795900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tenants (
        id text PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await queryRunner.query(`
      CREATE TABLE environments (
        id text PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES tenants (id),
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await queryRunner.query(`
      CREATE TABLE api_keys (
        id text PRIMARY KEY,
        tenant_id text NOT NULL,
        environment_id text NOT NULL REFERENCES environments (id),
        user_id text NOT NULL,
        name text NOT NULL,
        key_hash text NOT NULL CONSTRAINT api_keys_key_hash_key UNIQUE,
        key_prefix text NOT NULL,
        permissions text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz NULL
      )`);

    await queryRunner.query(`
      CREATE TABLE tasks (
        id text PRIMARY KEY,
        tenant_id text NOT NULL,
        environment_id text NOT NULL,
        task_type text NOT NULL
          CONSTRAINT tasks_task_type_check CHECK (task_type IN ('IMPORT', 'EXPORT')),
        entity_type text NOT NULL
          CONSTRAINT tasks_entity_type_check
          CHECK (entity_type IN ('EVENTS', 'PRICES', 'CUSTOMERS', 'FEATURES')),
        file_type text NOT NULL
          CONSTRAINT tasks_file_type_check CHECK (file_type IN ('CSV', 'JSON')),
        file_url text NOT NULL,
        file_name text NULL,
        task_status text NOT NULL DEFAULT 'PENDING'
          CONSTRAINT tasks_task_status_check
          CHECK (task_status IN ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED')),
        total_records bigint NULL,
        processed_records bigint NOT NULL DEFAULT 0,
        successful_records bigint NOT NULL DEFAULT 0,
        failed_records bigint NOT NULL DEFAULT 0,
        error_summary text NULL,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        started_at timestamptz NULL,
        completed_at timestamptz NULL,
        failed_at timestamptz NULL,
        status text NOT NULL DEFAULT 'published'
          CONSTRAINT tasks_status_check CHECK (status IN ('published', 'deleted', 'archived')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        created_by text NULL,
        updated_by text NULL,
        workflow_id text NULL,
        scheduled_task_id text NULL,
        attempt int NOT NULL DEFAULT 0,
        last_seq bigint NOT NULL DEFAULT 0,
        idempotency_key text NULL,
        request_hash text NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX tasks_scope_created_idx
         ON tasks (tenant_id, environment_id, created_at DESC, id DESC)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX tasks_idempotency_key_uq
         ON tasks (tenant_id, environment_id, idempotency_key)
         WHERE idempotency_key IS NOT NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        subject text NOT NULL,
        msg_id text NOT NULL,
        payload jsonb NOT NULL,
        headers jsonb NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz NULL,
        attempts int NOT NULL DEFAULT 0,
        last_error text NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL`,
    );

    // Only the primary key: every further index slows the bulk COPY of an import.
    await queryRunner.query(`
      CREATE TABLE events (
        environment_id text NOT NULL,
        id text NOT NULL,
        tenant_id text NOT NULL,
        event_name text NOT NULL,
        external_customer_id text NOT NULL,
        customer_id text NULL,
        timestamp timestamptz NOT NULL,
        source text NULL,
        properties jsonb NOT NULL DEFAULT '{}'::jsonb,
        task_id text NULL,
        ingested_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (environment_id, id)
      )`);

    await queryRunner.query(`
      CREATE TABLE import_checkpoints (
        task_id text NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        part int NOT NULL DEFAULT 0,
        attempt int NOT NULL DEFAULT 0,
        next_record bigint NOT NULL DEFAULT 0,
        processed bigint NOT NULL DEFAULT 0,
        successful bigint NOT NULL DEFAULT 0,
        failed bigint NOT NULL DEFAULT 0,
        duplicates bigint NOT NULL DEFAULT 0,
        total_records bigint NULL,
        seq bigint NOT NULL DEFAULT 0,
        error_samples jsonb NOT NULL DEFAULT '[]'::jsonb,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (task_id, part)
      )`);

    await queryRunner.query(`
      CREATE TABLE task_row_errors (
        task_id text NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        part int NOT NULL DEFAULT 0,
        row_number bigint NOT NULL,
        error_code text NOT NULL,
        error_message text NOT NULL,
        raw jsonb NOT NULL,
        PRIMARY KEY (task_id, row_number)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'task_row_errors',
      'import_checkpoints',
      'events',
      'outbox',
      'tasks',
      'api_keys',
      'environments',
      'tenants',
    ]) {
      await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
