import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 16, storage at scale: `events` becomes a table partitioned by month of `timestamp`
 * (PostgreSQL declarative partitioning), so a time-window export reads only the months it asks
 * for and an old month can be detached (`ALTER TABLE events DETACH PARTITION events_p2024_01`)
 * and archived or dropped without touching the rest (docs/DECISIONS.md 121-124).
 *
 * - The key becomes `(environment_id, id, "timestamp")`: a unique index of a partitioned table
 *   must hold the partition key. So the same id at another time is another event, as in
 *   Flexprice's raw events (one row per id and time); the same id at the same time is still a
 *   duplicate, and an id derived from task and line (no event_id) is still the same id with the
 *   same time when a file is imported again (docs/DECISIONS.md 122).
 * - `events_scope_time_idx (environment_id, "timestamp", id)` serves an export's window and its
 *   ORDER BY without a sort; `events_task_idx (task_id)` makes everything per task (counting,
 *   reverting a task's rows) cost its own rows, not the table's.
 * - `written_xid` (migration 1795900002000) keeps its default, and the rows moved keep their
 *   value, so an incremental schedule's watermark still partitions every write: rows already
 *   exported are not exported again.
 * - `ferry_events_ensure_partitions(from, to)` makes the months of `[from, to)` that are missing,
 *   moving any of their rows out of `events_default` first (the partition of times with no month
 *   yet, so no insert is ever refused). The migration makes the months of the rows already there
 *   (within ten years back and one ahead) and two years back to three months ahead of now; the
 *   gateway calls it again every hour for the months ahead (`EventPartitionsMaintainer`).
 *
 * Existing rows are copied into the new table in this migration's transaction (a big table takes
 * as long as an `INSERT … SELECT` of it; docs/CAPACITY.md says how to do it ahead of time).
 */
export class EventsPartitioned1795900003000 implements MigrationInterface {
  name = 'EventsPartitioned1795900003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events RENAME TO events_unpartitioned`);
    // Index names are per schema: free the key's name for the new table.
    await q.query(`ALTER INDEX IF EXISTS events_pkey RENAME TO events_unpartitioned_pkey`);
    await q.query(`
      CREATE TABLE events (
        environment_id text NOT NULL,
        id text NOT NULL,
        tenant_id text NOT NULL,
        event_name text NOT NULL,
        external_customer_id text NOT NULL,
        customer_id text NULL,
        "timestamp" timestamptz NOT NULL,
        source text NULL,
        properties jsonb NOT NULL DEFAULT '{}'::jsonb,
        task_id text NULL,
        ingested_at timestamptz NOT NULL DEFAULT now(),
        written_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        PRIMARY KEY (environment_id, id, "timestamp")
      ) PARTITION BY RANGE ("timestamp")`);
    await q.query(`CREATE TABLE events_default PARTITION OF events DEFAULT`);
    await q.query(`CREATE INDEX events_scope_time_idx ON events (environment_id, "timestamp", id)`);
    await q.query(`CREATE INDEX events_task_idx ON events (task_id) WHERE task_id IS NOT NULL`);
    await q.query(`
      CREATE FUNCTION ferry_events_ensure_partitions(from_time timestamptz, to_time timestamptz)
      RETURNS int LANGUAGE plpgsql AS $$
      DECLARE
        m timestamptz := date_trunc('month', from_time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
        next_m timestamptz;
        part text;
        made int := 0;
      BEGIN
        WHILE m < to_time LOOP
          next_m := (date_trunc('month', m AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
          part := 'events_p' || to_char(m AT TIME ZONE 'UTC', 'YYYY_MM');
          IF to_regclass(part) IS NULL THEN
            EXECUTE format('CREATE TABLE %I (LIKE events INCLUDING DEFAULTS)', part);
            EXECUTE format(
              'WITH moved AS (DELETE FROM events_default WHERE "timestamp" >= $1 AND "timestamp" < $2 RETURNING *)
               INSERT INTO %I SELECT * FROM moved', part) USING m, next_m;
            EXECUTE format('ALTER TABLE events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
              part, m, next_m);
            made := made + 1;
          END IF;
          m := next_m;
        END LOOP;
        RETURN made;
      END $$`);
    const [bounds] = (await q.query(
      `SELECT min("timestamp") AS lo, max("timestamp") AS hi FROM events_unpartitioned`,
    )) as Array<{ lo: Date | null; hi: Date | null }>;
    if (bounds?.lo && bounds.hi) {
      await q.query(
        `SELECT ferry_events_ensure_partitions(
           greatest($1::timestamptz, now() - interval '10 years'),
           least($2::timestamptz, now() + interval '1 year') + interval '1 month')`,
        [bounds.lo, bounds.hi],
      );
    }
    await q.query(
      `SELECT ferry_events_ensure_partitions(now() - interval '2 years', now() + interval '3 months')`,
    );
    await q.query(`
      INSERT INTO events (environment_id, id, tenant_id, event_name, external_customer_id,
                          customer_id, "timestamp", source, properties, task_id, ingested_at,
                          written_xid)
      SELECT environment_id, id, tenant_id, event_name, external_customer_id, customer_id,
             "timestamp", source, properties, task_id, ingested_at, written_xid
        FROM events_unpartitioned`);
    await q.query(`DROP TABLE events_unpartitioned`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Back to one table; two rows of one id at different times keep the first.
    await q.query(`ALTER TABLE events RENAME TO events_partitioned`);
    await q.query(`ALTER INDEX IF EXISTS events_pkey RENAME TO events_partitioned_pkey`);
    await q.query(`
      CREATE TABLE events (
        environment_id text NOT NULL,
        id text NOT NULL,
        tenant_id text NOT NULL,
        event_name text NOT NULL,
        external_customer_id text NOT NULL,
        customer_id text NULL,
        "timestamp" timestamptz NOT NULL,
        source text NULL,
        properties jsonb NOT NULL DEFAULT '{}'::jsonb,
        task_id text NULL,
        ingested_at timestamptz NOT NULL DEFAULT now(),
        written_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        PRIMARY KEY (environment_id, id)
      )`);
    await q.query(`
      INSERT INTO events SELECT environment_id, id, tenant_id, event_name, external_customer_id,
             customer_id, "timestamp", source, properties, task_id, ingested_at, written_xid
        FROM events_partitioned ORDER BY "timestamp" ON CONFLICT DO NOTHING`);
    await q.query(`DROP TABLE events_partitioned`);
    await q.query(
      `DROP FUNCTION IF EXISTS ferry_events_ensure_partitions(timestamptz, timestamptz)`,
    );
  }
}
