import { Readable } from 'stream';
import { pipeline } from 'stream/promises';

import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import { type RowError, RowErrorCode } from '@ferry/contracts';

import { copyText, parseCopyLine } from '../../common/copy-text';
import { rawCells } from '../../common/raw-cells';
import { type BatchWriteResult, type ImportScope } from '../../entity-definition';
import { type EventRecord, recordCopyText, recordLine } from './event.record';
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

function* copyLines(records: readonly EventRecord[], suffix: string): Generator<string> {
  let chunk = '';
  for (const r of records) {
    chunk += recordCopyText(r) + suffix;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

async function copyInto(
  client: PoolClient,
  table: string,
  records: readonly EventRecord[],
  suffix: string,
): Promise<number> {
  const copy = client.query(copyFrom(`COPY ${table} (${COLUMNS}) FROM STDIN`));
  await pipeline(Readable.from(copyLines(records, suffix)), copy);
  return copy.rowCount;
}

function refusedRow(record: EventRecord, err: unknown): RowError {
  const e = err as PgError;
  const column = /column (\w+)/.exec(e.where ?? '')?.[1];
  const why = [e.message, e.detail].filter(Boolean).join(': ');
  return {
    row_number: recordLine(record),
    code: RowErrorCode.INVALID_VALUE,
    message: column
      ? `${column} was refused by the database: ${why}`
      : `the database refused the row: ${why}`,
    raw: rawCells(
      EVENT_COLUMNS,
      parseCopyLine(recordCopyText(record)).map((v) => v ?? ''),
    ),
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
    result.written = await copyInto(client, 'events', records, suffix);
    await client.query('RELEASE SAVEPOINT ferry_events_batch');
    return result;
  } catch (err) {
    if (pgCode(err) !== '23505' && !isRowDataError(err)) throw err;
    await client.query('ROLLBACK TO SAVEPOINT ferry_events_batch');
  }
  await client.query(CREATE_STAGE);
  await writeThroughStage(client, records, suffix, result);
  await client.query('RELEASE SAVEPOINT ferry_events_batch');
  return result;
}

// A dry run's "events": the ids it would have inserted, in an UNLOGGED table of its task (no WAL;
// committed per batch like the checkpoint, so a resumed dry run keeps it), dropped at the end.
const dryIdsTable = (scope: ImportScope) => `ferry_dry_ids_${scope.taskId.toLowerCase()}`;
// The key of the partitioned table (migration 1795900003000): one row per id and time.
const INSERT_REAL =
  `INSERT INTO events (${COLUMNS}) SELECT ${COLUMNS} FROM ${STAGE} ` +
  'ON CONFLICT (environment_id, id, "timestamp") DO NOTHING';
// The dry run's own stage has the events table's NOT NULLs, so COPY refuses what it would.
const DRY_STAGE = 'ferry_events_dry_stage';
const CREATE_DRY_STAGE =
  `CREATE TEMP TABLE IF NOT EXISTS ${DRY_STAGE} (id text NOT NULL, event_name text NOT NULL, ` +
  `external_customer_id text NOT NULL, customer_id text, "timestamp" timestamptz NOT NULL, source text, ` +
  `properties jsonb NOT NULL, environment_id text NOT NULL, tenant_id text NOT NULL, task_id text) ON COMMIT DROP`;
const insertDry = (ids: string) =>
  `INSERT INTO ${ids} (environment_id, id, "timestamp") SELECT s.environment_id, s.id, s."timestamp" FROM ${DRY_STAGE} s ` +
  'WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.environment_id = s.environment_id AND e.id = s.id ' +
  'AND e."timestamp" = s."timestamp") ON CONFLICT (environment_id, id, "timestamp") DO NOTHING';

/** Drops the dry run's id table once the run is over. */
export async function dropDryEventIds(client: PoolClient, scope: ImportScope): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${dryIdsTable(scope)}`);
}

/**
 * A dry run of `writeEventBatch` (docs/API.md §1 `dry_run`): the batch goes through the stage as
 * a real batch with a duplicate would (so the database refuses the same values), but instead of
 * `events` the ids land in the task's own unlogged table: an id already in `events`, or already
 * written by the run's earlier batches, is a duplicate, exactly as the real run counts it. No WAL,
 * no row in `events`.
 */
export async function dryWriteEventBatch(
  client: PoolClient,
  records: EventRecord[],
  scope: ImportScope,
): Promise<BatchWriteResult> {
  const result: BatchWriteResult = { written: 0, duplicates: 0, rowErrors: [] };
  if (records.length === 0) return result;
  const suffix = `\t${copyText(scope.environmentId)}\t${copyText(scope.tenantId)}\t${copyText(scope.taskId)}\n`;
  await client.query(CREATE_DRY_STAGE);
  const ids = dryIdsTable(scope);
  await client.query(
    `CREATE UNLOGGED TABLE IF NOT EXISTS ${ids} (environment_id text, id text, "timestamp" timestamptz, ` +
      'PRIMARY KEY (environment_id, id, "timestamp"))',
  );
  await writeThroughStage(client, records, suffix, result, {
    stage: DRY_STAGE,
    insert: insertDry(ids),
  });
  return result;
}

async function writeThroughStage(
  client: PoolClient,
  records: EventRecord[],
  suffix: string,
  result: BatchWriteResult,
  target = { stage: STAGE, insert: INSERT_REAL },
): Promise<void> {
  await client.query('SAVEPOINT ferry_events_stage');
  let written: number;
  try {
    await client.query(`TRUNCATE ${target.stage}`);
    await copyInto(client, target.stage, records, suffix);
    const inserted = await client.query(target.insert);
    written = inserted.rowCount ?? 0;
  } catch (err) {
    if (!isRowDataError(err)) throw err;
    await client.query('ROLLBACK TO SAVEPOINT ferry_events_stage');
    await client.query('RELEASE SAVEPOINT ferry_events_stage');
    if (records.length === 1) {
      result.rowErrors.push(refusedRow(records[0], err));
      return;
    }
    const half = Math.ceil(records.length / 2);
    await writeThroughStage(client, records.slice(0, half), suffix, result, target);
    await writeThroughStage(client, records.slice(half), suffix, result, target);
    return;
  }
  await client.query('RELEASE SAVEPOINT ferry_events_stage');
  result.written += written;
  result.duplicates += records.length - written;
}
