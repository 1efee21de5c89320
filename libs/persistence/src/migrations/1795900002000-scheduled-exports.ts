import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The entity tables whose rows an incremental export selects by the transaction that wrote them. */
const WRITTEN_TABLES = ['events', 'customers', 'features', 'prices'] as const;

/**
 * Issue 14, scheduled exports (docs/API.md §4): connections (destinations with their secrets
 * encrypted), scheduled tasks with their slot cursor and ingestion watermark, and one row per run
 * (a slot's row is unique, so each slot runs once however many gateways schedule).
 *
 * `written_xid` on the entity tables is the 64-bit id of the transaction that last wrote the row
 * (a default on insert, a trigger on update). An incremental run takes the rows with an id in
 * `[previous watermark, watermark)`, the watermark being the oldest transaction still running
 * when the run was scheduled (`pg_snapshot_xmin`): every lower id has ended, so no row can appear
 * below it later, which an `ingested_at` bound cannot promise (a batch's rows carry the time its
 * transaction began, and transactions commit out of that order). The default is STABLE, so adding
 * the column does not rewrite a table: rows already there take this migration's id.
 * No index on it, like every export filter (docs/DECISIONS.md decisions 54 and 76): every index
 * on events slows each import.
 */
export class ScheduledExports1795900002000 implements MigrationInterface {
  name = 'ScheduledExports1795900002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE connections (
        id text PRIMARY KEY,
        tenant_id text NOT NULL,
        environment_id text NOT NULL,
        name text NOT NULL,
        provider_type text NOT NULL CONSTRAINT connections_provider_type_check CHECK (provider_type IN ('s3')),
        encrypted_secret_data text NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        status text NOT NULL DEFAULT 'published'
          CONSTRAINT connections_status_check CHECK (status IN ('published', 'archived')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        created_by text NULL,
        updated_by text NULL
      )`);
    await q.query(
      `CREATE INDEX connections_scope_idx ON connections (tenant_id, environment_id, created_at DESC, id DESC)`,
    );

    await q.query(`
      CREATE TABLE scheduled_tasks (
        id text PRIMARY KEY,
        tenant_id text NOT NULL,
        environment_id text NOT NULL,
        connection_id text NOT NULL,
        entity_type text NOT NULL
          CONSTRAINT scheduled_tasks_entity_type_check
          CHECK (entity_type IN ('EVENTS', 'PRICES', 'CUSTOMERS', 'FEATURES')),
        interval text NOT NULL
          CONSTRAINT scheduled_tasks_interval_check
          CHECK (interval IN ('15MIN', '30MIN', 'hourly', 'daily', 'weekly', 'monthly')),
        enabled boolean NOT NULL DEFAULT true,
        job_config jsonb NOT NULL,
        status text NOT NULL DEFAULT 'published'
          CONSTRAINT scheduled_tasks_status_check CHECK (status IN ('published', 'archived')),
        next_slot_start timestamptz NOT NULL,
        next_run_at timestamptz NOT NULL,
        watermark xid8 NOT NULL DEFAULT '0',
        watermark_at timestamptz NOT NULL,
        skipped_slots int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        created_by text NULL,
        updated_by text NULL
      )`);
    await q.query(
      `CREATE INDEX scheduled_tasks_scope_idx ON scheduled_tasks (tenant_id, environment_id, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX scheduled_tasks_due_idx ON scheduled_tasks (next_run_at)
        WHERE enabled AND status = 'published'`,
    );

    await q.query(`
      CREATE TABLE scheduled_task_runs (
        task_id text PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
        scheduled_task_id text NOT NULL REFERENCES scheduled_tasks (id),
        kind text NOT NULL CONSTRAINT scheduled_task_runs_kind_check CHECK (kind IN ('slot', 'manual', 'custom')),
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        watermark_from xid8 NULL,
        watermark_to xid8 NULL,
        retries int NOT NULL DEFAULT 0,
        retry_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX scheduled_task_runs_slot_uq ON scheduled_task_runs (scheduled_task_id, window_start)
        WHERE kind = 'slot'`,
    );
    await q.query(
      `CREATE INDEX scheduled_task_runs_schedule_idx ON scheduled_task_runs (scheduled_task_id, created_at DESC)`,
    );

    await q.query(`
      CREATE FUNCTION ferry_stamp_written_xid() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.written_xid := pg_current_xact_id();
        RETURN NEW;
      END $$`);
    for (const table of WRITTEN_TABLES) {
      await q.query(
        `ALTER TABLE ${table} ADD COLUMN written_xid xid8 NOT NULL DEFAULT pg_current_xact_id()`,
      );
      if (table !== 'events') {
        // Events are only ever inserted; the others are upserted, and an update is a change too.
        await q.query(
          `CREATE TRIGGER ${table}_written_xid BEFORE UPDATE ON ${table}
             FOR EACH ROW EXECUTE FUNCTION ferry_stamp_written_xid()`,
        );
      }
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of WRITTEN_TABLES) {
      await q.query(`DROP TRIGGER IF EXISTS ${table}_written_xid ON ${table}`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN IF EXISTS written_xid`);
    }
    await q.query(`DROP FUNCTION IF EXISTS ferry_stamp_written_xid()`);
    for (const table of ['scheduled_task_runs', 'scheduled_tasks', 'connections']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
