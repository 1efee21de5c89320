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

async function writeThroughStage(
  client: PoolClient,
  records: EventRecord[],
  suffix: string,
  result: BatchWriteResult,
): Promise<void> {
  await client.query('SAVEPOINT ferry_events_stage');
  let written: number;
  try {
    await client.query(`TRUNCATE ${STAGE}`);
    await copyInto(client, STAGE, records, suffix);
    const inserted = await client.query(
      `INSERT INTO events (${COLUMNS}) SELECT ${COLUMNS} FROM ${STAGE} ` +
        // The key of the partitioned table (migration 1795900003000): one row per id and time.
        'ON CONFLICT (environment_id, id, "timestamp") DO NOTHING',
    );
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
    await writeThroughStage(client, records.slice(0, half), suffix, result);
    await writeThroughStage(client, records.slice(half), suffix, result);
    return;
  }
  await client.query('RELEASE SAVEPOINT ferry_events_stage');
  result.written += written;
  result.duplicates += records.length - written;
}
