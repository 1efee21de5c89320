import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Customers, features with their meters, and prices (docs/FORMATS.md §2), each scoped by tenant and
 * environment and keyed by the column its import upserts or checks by; plus the header of each
 * import part, so `/errors` can list a row's columns in the file's order.
 */
export class EntityTables1795900000100 implements MigrationInterface {
  name = 'EntityTables1795900000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE customers (
        id text PRIMARY KEY,
        tenant_id text NOT NULL,
        environment_id text NOT NULL,
        external_id text NOT NULL,
        name text NOT NULL,
        email text NULL,
        address_line1 text NULL,
        address_line2 text NULL,
        address_city text NULL,
        address_state text NULL,
        address_postal_code text NULL,
        address_country text NULL,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        task_id text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT customers_environment_external_id_uq UNIQUE (environment_id, external_id)
      )`);

    await queryRunner.query(`
      CREATE TABLE meters (
        id text PRIMARY KEY,
        tenant_id text NOT NULL,
        environment_id text NOT NULL,
        name text NOT NULL,
        event_name text NOT NULL,
        aggregation_type text NOT NULL,
        aggregation_field text NULL,
        aggregation_multiplier numeric NULL,
        aggregation_bucket_size text NULL,
        reset_usage text NOT NULL DEFAULT 'BILLING_PERIOD',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX meters_environment_idx ON meters (environment_id, id)`);

    await queryRunner.query(`
      CREATE TABLE features (
        id text PRIMARY KEY,
        tenant_id text NOT NULL,
        environment_id text NOT NULL,
        name text NOT NULL,
        type text NOT NULL CONSTRAINT features_type_check CHECK (type IN ('metered', 'boolean', 'static')),
        lookup_key text NOT NULL,
        unit_singular text NULL,
        unit_plural text NULL,
        meter_id text NULL REFERENCES meters (id),
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        task_id text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT features_environment_lookup_key_uq UNIQUE (environment_id, lookup_key)
      )`);

    await queryRunner.query(`
      CREATE TABLE prices (
        id text PRIMARY KEY,
        tenant_id text NOT NULL,
        environment_id text NOT NULL,
        currency text NOT NULL,
        entity_type text NOT NULL,
        entity_id text NOT NULL,
        type text NOT NULL,
        billing_period text NOT NULL,
        billing_period_count int NOT NULL DEFAULT 1,
        billing_model text NOT NULL,
        invoice_cadence text NOT NULL,
        amount numeric NULL,
        meter_id text NULL REFERENCES meters (id),
        tier_mode text NULL,
        tiers jsonb NULL,
        transform_quantity_divide_by numeric NULL,
        transform_quantity_round text NULL,
        price_unit_type text NOT NULL DEFAULT 'FIAT',
        price_unit_config_price_unit text NULL,
        price_unit_config_amount numeric NULL,
        price_unit_config_tiers jsonb NULL,
        trial_period_days int NULL,
        start_date timestamptz NULL,
        end_date timestamptz NULL,
        min_quantity numeric NULL,
        lookup_key text NULL,
        display_name text NULL,
        description text NULL,
        group_id text NULL,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        task_id text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX prices_environment_lookup_key_uq
         ON prices (environment_id, lookup_key) WHERE lookup_key IS NOT NULL`,
    );

    // The file's columns in order (CSV header, or JSON keys by first appearance).
    await queryRunner.query(
      `ALTER TABLE import_checkpoints ADD COLUMN columns jsonb NOT NULL DEFAULT '[]'::jsonb`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE import_checkpoints DROP COLUMN IF EXISTS columns`);
    for (const table of ['prices', 'features', 'meters', 'customers']) {
      await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
