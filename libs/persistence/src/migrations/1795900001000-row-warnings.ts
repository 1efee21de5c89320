import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 13, Flexprice's files and create body. CSV read as Flexprice reads it (docs/FORMATS.md §1): a leniency (a short or long row,
 * trimmed blanks, a stray quote, a cell ignored because it does not apply) is a warning on its
 * row, listed by `GET /v1/tasks/{id}/warnings` apart from the rejected rows. Like row errors they
 * are stored in the batch's transaction, once per row; unlike them they never fail a task, so
 * only the first ones are kept (docs/ARCHITECTURE.md invariant 12) while the checkpoint counts
 * them all.
 */
export class RowWarnings1795900001000 implements MigrationInterface {
  name = 'RowWarnings1795900001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE task_row_warnings (
        task_id text NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        part int NOT NULL DEFAULT 0,
        row_number bigint NOT NULL,
        warning_message text NOT NULL,
        raw jsonb NOT NULL,
        PRIMARY KEY (task_id, row_number)
      )`);
    // What an import's rows did (docs/API.md §3): counted with the checkpoint, so a redelivery
    // neither loses nor repeats a batch's figures.
    await q.query(`ALTER TABLE task_checkpoints ADD COLUMN warnings bigint NOT NULL DEFAULT 0,
      ADD COLUMN created bigint NOT NULL DEFAULT 0, ADD COLUMN updated bigint NOT NULL DEFAULT 0,
      ADD COLUMN unchanged bigint NOT NULL DEFAULT 0`);
    // Flexprice's create body names a file by the upload id (docs/API.md §1): each upload is
    // recorded so that an id resolves to its file in its own environment only.
    await q.query(`
      CREATE TABLE uploads (
        id text PRIMARY KEY,
        tenant_id text NOT NULL,
        environment_id text NOT NULL,
        file_url text NOT NULL,
        file_name text NOT NULL,
        size bigint NOT NULL,
        created_by text NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Flexprice's fourth feature type (docs/FORMATS.md §2).
    await q.query(`ALTER TABLE features DROP CONSTRAINT features_type_check,
      ADD CONSTRAINT features_type_check CHECK (type IN ('metered', 'boolean', 'static', 'config'))`);
    // A FEATURES row may bring its meter's id (a catalogue moved from Flexprice or from another
    // environment keeps its meter ids): a meter id is then unique per environment, not globally,
    // and what refers to a meter refers to it within its own environment.
    await q.query('ALTER TABLE features DROP CONSTRAINT features_meter_id_fkey');
    await q.query('ALTER TABLE prices DROP CONSTRAINT prices_meter_id_fkey');
    await q.query('ALTER TABLE meters DROP CONSTRAINT meters_pkey');
    await q.query('ALTER TABLE meters ADD CONSTRAINT meters_pkey PRIMARY KEY (environment_id, id)');
    await q.query('DROP INDEX meters_environment_idx');
    await q.query(`ALTER TABLE features ADD CONSTRAINT features_meter_id_fkey
      FOREIGN KEY (environment_id, meter_id) REFERENCES meters (environment_id, id)`);
    await q.query(`ALTER TABLE prices ADD CONSTRAINT prices_meter_id_fkey
      FOREIGN KEY (environment_id, meter_id) REFERENCES meters (environment_id, id)`);
    // Keys and environments as @flexprice/sdk manages them (docs/API.md §2).
    await q.query(`ALTER TABLE api_keys ADD COLUMN expires_at timestamptz NULL,
      ADD COLUMN last_used_at timestamptz NULL, ADD COLUMN key_type text NOT NULL DEFAULT 'private_key'`);
    await q.query(`ALTER TABLE environments ADD COLUMN type text NOT NULL DEFAULT 'development',
      ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(
      'CREATE INDEX api_keys_scope_idx ON api_keys (tenant_id, environment_id, created_at)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX api_keys_scope_idx');
    await q.query('ALTER TABLE environments DROP COLUMN type, DROP COLUMN updated_at');
    await q.query(
      'ALTER TABLE api_keys DROP COLUMN expires_at, DROP COLUMN last_used_at, DROP COLUMN key_type',
    );
    await q.query('ALTER TABLE features DROP CONSTRAINT features_meter_id_fkey');
    await q.query('ALTER TABLE prices DROP CONSTRAINT prices_meter_id_fkey');
    await q.query('ALTER TABLE meters DROP CONSTRAINT meters_pkey');
    await q.query('ALTER TABLE meters ADD PRIMARY KEY (id)');
    await q.query('CREATE INDEX meters_environment_idx ON meters (environment_id, id)');
    await q.query('ALTER TABLE features ADD FOREIGN KEY (meter_id) REFERENCES meters (id)');
    await q.query('ALTER TABLE prices ADD FOREIGN KEY (meter_id) REFERENCES meters (id)');
    await q.query(`ALTER TABLE features DROP CONSTRAINT features_type_check,
      ADD CONSTRAINT features_type_check CHECK (type IN ('metered', 'boolean', 'static'))`);
    await q.query('DROP TABLE uploads');
    await q.query(`ALTER TABLE task_checkpoints DROP COLUMN warnings, DROP COLUMN created,
      DROP COLUMN updated, DROP COLUMN unchanged`);
    await q.query('DROP TABLE task_row_warnings');
  }
}
