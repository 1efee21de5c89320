import { Readable } from 'stream';
import { pipeline } from 'stream/promises';

import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import { copyNullable } from './copy-text';

const CHUNK_CHARS = 256 * 1024;

/** A COPY text cell for any value: null → \N, anything else as escaped text. */
export function cell(value: string | number | null): string {
  return value === null ? '\\N' : copyNullable(typeof value === 'number' ? String(value) : value);
}

function* chunks(rows: Iterable<string>): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += row;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * The stage is deliberately left without statistics (no ANALYZE): the planner then probes the
 * target's unique index per staged row, where with them it hash-joins a full scan of the target
 * table (measured: 15 ms against 250 ms per 10,000-row batch on a 1M-row table).
 *
 * Fills a session temp table (created once per connection, emptied at commit) with one COPY:
 * the set-based half of every upsert/insert, so a batch costs a few statements, never one per row.
 */
export async function copyIntoStage(
  client: PoolClient,
  stage: string,
  ddl: string,
  columns: string,
  rows: Iterable<string>,
): Promise<void> {
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${stage} (${ddl}) ON COMMIT DELETE ROWS`);
  await client.query(`TRUNCATE ${stage}`);
  const copy = client.query(copyFrom(`COPY ${stage} (${columns}) FROM STDIN`));
  await pipeline(Readable.from(chunks(rows)), copy);
}
