import { Readable } from 'stream';
import { pipeline } from 'stream/promises';

import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import { type RowError, RowErrorCode } from '@ferry/contracts';

import { copyText } from '../../common/copy-text';
import { rawCells } from '../../common/raw-cells';
import { type BatchWriteResult, type ImportScope } from '../../entity-definition';
import {
  dryEventFields,
  dryRecordKeyText,
  type EventFields,
  eventFields,
  type EventRecord,
  recordCopyText,
  recordLine,
} from './event.record';
import { EVENT_COLUMNS } from './event-columns';

// The per-batch constants go last, so each COPY line ends in one precomputed suffix.
const COLUMNS =
  'id, event_name, external_customer_id, customer_id, "timestamp", source, properties, environment_id, tenant_id, task_id';
const STAGE = 'ferry_events_stage';
const CREATE_STAGE =
  `CREATE TEMP TABLE IF NOT EXISTS ${STAGE} (id text, event_name text, external_customer_id text, customer_id text, ` +
  `"timestamp" timestamptz, source text, properties jsonb, environment_id text, tenant_id text, task_id text) ON COMMIT DELETE ROWS`;
const CHUNK_CHARS = 64 * 1024;

interface PgError {
  code?: string;
  message?: string;
  detail?: string;
  where?: string;
}

function pgCode(err: unknown): string {
  const code = (err as PgError | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** Errors a single row's values cause (bad data, out of range, too big for an index). */
function isRowDataError(err: unknown): boolean {
  const code = pgCode(err);
  return code.startsWith('22') || code === '23502' || code === '23514' || code === '54000';
}

/** COPY text of `records`, one line each (`text`), in chunks of about CHUNK_CHARS. */
function* copyLines(
  records: readonly EventRecord[],
  text: (r: EventRecord) => string,
): Generator<string> {
  let chunk = '';
  for (const r of records) {
    chunk += text(r);
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** COPYs `records` into `table` (`columns`), each line `text(record)`; returns the rows copied. */
async function copyInto(
  client: PoolClient,
  table: string,
  columns: string,
  records: readonly EventRecord[],
  text: (r: EventRecord) => string,
): Promise<number> {
  const copy = client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`));
  await pipeline(Readable.from(copyLines(records, text)), copy);
  return copy.rowCount;
}

function refusedRow(record: EventRecord, f: EventFields, err: unknown): RowError {
  const e = err as PgError;
  const column = /column (\w+)/.exec(e.where ?? '')?.[1];
  const why = [e.message, e.detail].filter(Boolean).join(': ');
  return {
    row_number: recordLine(record),
    code: RowErrorCode.INVALID_VALUE,
    message: column
      ? `${column} was refused by the database: ${why}`
      : `the database refused the row: ${why}`,
    // The columns of EVENT_COLUMNS, as the record holds them.
    raw: rawCells(EVENT_COLUMNS, [
      f.id,
      f.eventName,
      f.externalCustomerId,
      f.customerId ?? '',
      f.timestamp,
      f.source ?? '',
      f.properties,
    ]),
  };
}

/**
 * Writes events with COPY inside a savepoint of the caller's transaction: the fast path when no
 * event exists yet. A duplicate (23505) or a value PostgreSQL refuses sends the batch through a
 * temp table instead, `INSERT … ON CONFLICT DO NOTHING` on (environment_id, id, timestamp), splitting it until each refused row is
 * alone and becomes a RowError.
 */
export async function writeEventBatch(
  client: PoolClient,
  records: EventRecord[],
  scope: ImportScope,
): Promise<BatchWriteResult> {
  const result: BatchWriteResult = { written: 0, duplicates: 0, rowErrors: [] };
  if (records.length === 0) return result;
  const suffix = `\t${copyText(scope.environmentId)}\t${copyText(scope.tenantId)}\t${copyText(scope.taskId)}\n`;

  await client.query('SAVEPOINT ferry_events_batch');
  try {
    result.written = await copyInto(
      client,
      'events',
      COLUMNS,
      records,
      (r) => recordCopyText(r) + suffix,
    );
    await client.query('RELEASE SAVEPOINT ferry_events_batch');
    return result;
  } catch (err) {
    if (pgCode(err) !== '23505' && !isRowDataError(err)) throw err;
    await client.query('ROLLBACK TO SAVEPOINT ferry_events_batch');
  }
  await client.query(CREATE_STAGE);
  await writeThroughStage(client, records, result, realTarget(client, suffix));
  await client.query('RELEASE SAVEPOINT ferry_events_batch');
  return result;
}

// A dry run's "events": the keys it would have inserted, in an UNLOGGED table of its task (no WAL;
// committed per batch like the checkpoint, so a resumed dry run keeps it), dropped at the end.
const dryIdsTable = (scope: ImportScope) => `ferry_dry_ids_${scope.taskId.toLowerCase()}`;
// The key of the partitioned table (migration 1795900003000): one row per id and time.
const INSERT_REAL =
  `INSERT INTO events (${COLUMNS}) SELECT ${COLUMNS} FROM ${STAGE} ` +
  'ON CONFLICT (environment_id, id, "timestamp") DO NOTHING';
// What a dry run sends (docs/DECISIONS.md 112): the key, and the properties only when they came as
// a JSON cell (`\N` otherwise); the table is the task's, so of one environment.
const DRY_COLUMNS = 'id, "timestamp", properties';
// The dry run's own stage: the key's types and NOT NULLs, so COPY refuses what it would. Made once
// per connection and emptied by every COMMIT (not dropped: a CREATE and a DROP per batch were
// catalog churn on every batch).
const DRY_STAGE = 'ferry_events_dry_keys';
const CREATE_DRY_STAGE =
  `CREATE TEMP TABLE IF NOT EXISTS ${DRY_STAGE} (id text NOT NULL, "timestamp" timestamptz NOT NULL, ` +
  'properties jsonb) ON COMMIT DELETE ROWS';
// The batch's time window, and whether `events` holds any row of the environment in it (one range
// scan of `events_scope_time_idx` per month of the window): when none, no row of the batch can be
// a duplicate of an existing event (the key holds the time, docs/FORMATS.md §2), and the probe of
// `events` is skipped. Times travel as text in the session's own format, so they round-trip exactly.
const DRY_WINDOW =
  `SELECT w.lo::text AS lo, w.hi::text AS hi, EXISTS (SELECT 1 FROM events e WHERE e.environment_id = $1 ` +
  `AND e."timestamp" >= w.lo AND e."timestamp" <= w.hi) AS existing ` +
  `FROM (SELECT min("timestamp") AS lo, max("timestamp") AS hi FROM ${DRY_STAGE}) w`;
const insertDryNew = (ids: string) =>
  `INSERT INTO ${ids} (${DRY_COLUMNS}) SELECT ${DRY_COLUMNS} FROM ${DRY_STAGE} ` +
  'ON CONFLICT DO NOTHING';
// Only the environment's events of the batch's window can match: the probe reads those, never
// the whole table (a hash anti join over all of `events` per batch otherwise).
const insertDryProbe = (ids: string) =>
  `INSERT INTO ${ids} (${DRY_COLUMNS}) SELECT ${DRY_COLUMNS} FROM ${DRY_STAGE} s ` +
  'WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.environment_id = $1 AND e."timestamp" >= $2::timestamptz ' +
  'AND e."timestamp" <= $3::timestamptz AND e.id = s.id AND e."timestamp" = s."timestamp") ' +
  'ON CONFLICT DO NOTHING';

// Whether the environment has no event at all (one probe of the key per month): then no row of a
// batch can be a duplicate of an existing event, and the batch goes straight into the run's table.
const ENVIRONMENT_EMPTY =
  'SELECT NOT EXISTS (SELECT 1 FROM events WHERE environment_id = $1) AS empty';
// A table a dry run made before decision 112 (all of `events`' columns): the columns a dry run no
// longer sends lose their NOT NULL, so the run resumes with the keys its earlier batches wrote.
const OLD_SHAPE =
  "SELECT 1 FROM information_schema.columns WHERE table_name = $1 AND column_name = 'event_name'";

/**
 * Makes the dry run's table (before its first batch, so parallel writers never race on it):
 * `events`' key (migration 1795900003000) with its types and NOT NULLs, and a nullable `jsonb`
 * for a JSON properties cell, UNLOGGED (no WAL), so a COPY into it refuses exactly the values,
 * and finds exactly the repeated keys, a COPY into `events` would (docs/DECISIONS.md 112). The
 * key leaves out the environment (the table is the task's: one environment), puts the time first
 * (a file in time order appends at the index's right edge) and compares the id bytewise
 * (`COLLATE "C"`: a deterministic collation's equality is byte equality anyway): the same keys
 * are equal, for 1.6 s of PostgreSQL per 1M rows instead of 3.8 s. True when it made the table.
 */
export async function prepareDryEventIds(client: PoolClient, scope: ImportScope): Promise<boolean> {
  const table = dryIdsTable(scope);
  const missing = await client.query<{ made: boolean }>('SELECT to_regclass($1) IS NULL AS made', [
    table,
  ]);
  await client.query(
    `CREATE UNLOGGED TABLE IF NOT EXISTS ${table} (id text COLLATE "C" NOT NULL, ` +
      '"timestamp" timestamptz NOT NULL, properties jsonb, PRIMARY KEY ("timestamp", id))',
  );
  if ((await client.query(OLD_SHAPE, [table])).rowCount) {
    const env = client.escapeLiteral(scope.environmentId);
    await client.query(
      `ALTER TABLE ${table} ALTER environment_id SET DEFAULT ${env}, ALTER event_name DROP NOT NULL, ` +
        'ALTER external_customer_id DROP NOT NULL, ALTER tenant_id DROP NOT NULL, ALTER properties DROP NOT NULL',
    );
  }
  return missing.rows[0].made;
}

/** Drops the dry run's id table once the run is over. */
export async function dropDryEventIds(client: PoolClient, scope: ImportScope): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${dryIdsTable(scope)}`);
}

/** A dry record's COPY line: its key part. */
const dryLine = (r: EventRecord): string => dryRecordKeyText(r) + '\n';

/**
 * A dry run of `writeEventBatch` (docs/API.md §5 `dry_run`), on the records of a dry run's mapper
 * (`dryEventRecord`): the batch's keys go through the stage as a real batch with a duplicate would
 * (so the database refuses the same values), but instead of `events` they land in the task's own
 * unlogged table (made by `prepareDryEventIds`): an id and time already in `events`, or already
 * written by the run's earlier batches or earlier in the batch, is a duplicate, exactly as the
 * real run counts it. No WAL, no row in `events`. Safe on two writers at once: a key two batches
 * insert together waits for the first one's COMMIT, as in `events`.
 */
export async function dryWriteEventBatch(
  client: PoolClient,
  records: EventRecord[],
  scope: ImportScope,
): Promise<BatchWriteResult> {
  const result: BatchWriteResult = { written: 0, duplicates: 0, rowErrors: [] };
  if (records.length === 0) return result;
  const ids = dryIdsTable(scope);
  // The fast path, as the real import's: one COPY into the run's table, when the environment has
  // no event yet; a repeated key (in the file, or of an earlier batch) or a refused value sends
  // the batch through the stage like a real batch with a duplicate.
  const probe = await client.query<{ empty: boolean }>(ENVIRONMENT_EMPTY, [scope.environmentId]);
  if (probe.rows[0].empty) {
    await client.query('SAVEPOINT ferry_events_batch');
    try {
      result.written = await copyInto(client, ids, DRY_COLUMNS, records, dryLine);
      await client.query('RELEASE SAVEPOINT ferry_events_batch');
      return result;
    } catch (err) {
      if (pgCode(err) !== '23505' && !isRowDataError(err)) throw err;
      await client.query('ROLLBACK TO SAVEPOINT ferry_events_batch');
    }
  }
  await client.query(CREATE_DRY_STAGE);
  await writeThroughStage(client, records, result, {
    stage: DRY_STAGE,
    copy: (recs) => copyInto(client, DRY_STAGE, DRY_COLUMNS, recs, dryLine),
    fields: dryEventFields,
    insert: async () => {
      const w = await client.query<{ lo: string | null; hi: string | null; existing: boolean }>(
        DRY_WINDOW,
        [scope.environmentId],
      );
      const { lo, hi, existing } = w.rows[0];
      const done = existing
        ? await client.query(insertDryProbe(ids), [scope.environmentId, lo, hi])
        : await client.query(insertDryNew(ids));
      return done.rowCount ?? 0;
    },
  });
  return result;
}

interface StageTarget {
  stage: string;
  /** COPYs records into the stage. */
  copy: (records: readonly EventRecord[]) => Promise<number>;
  /** A record's fields, for the raw cells of a refused row. */
  fields: (record: EventRecord) => EventFields;
  /** Moves the stage's rows on; the number written (the rest are duplicates). */
  insert: () => Promise<number>;
}

function realTarget(client: PoolClient, suffix: string): StageTarget {
  return {
    stage: STAGE,
    copy: (records) => copyInto(client, STAGE, COLUMNS, records, (r) => recordCopyText(r) + suffix),
    fields: eventFields,
    insert: async () => (await client.query(INSERT_REAL)).rowCount ?? 0,
  };
}

async function writeThroughStage(
  client: PoolClient,
  records: EventRecord[],
  result: BatchWriteResult,
  target: StageTarget,
): Promise<void> {
  await client.query('SAVEPOINT ferry_events_stage');
  let written: number;
  try {
    await client.query(`TRUNCATE ${target.stage}`);
    await target.copy(records);
    written = await target.insert();
  } catch (err) {
    if (!isRowDataError(err)) throw err;
    await client.query('ROLLBACK TO SAVEPOINT ferry_events_stage');
    await client.query('RELEASE SAVEPOINT ferry_events_stage');
    if (records.length === 1) {
      result.rowErrors.push(refusedRow(records[0], target.fields(records[0]), err));
      return;
    }
    const half = Math.ceil(records.length / 2);
    await writeThroughStage(client, records.slice(0, half), result, target);
    await writeThroughStage(client, records.slice(half), result, target);
    return;
  }
  await client.query('RELEASE SAVEPOINT ferry_events_stage');
  result.written += written;
  result.duplicates += records.length - written;
}
