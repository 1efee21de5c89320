import type { PoolClient } from 'pg';

import { RowErrorCode } from '@ferry/contracts';

import { refusedRecord } from '../../common/base-row.mapper';
import { show } from '../../common/row-problem';
import { cell, copyIntoStage } from '../../common/staged-copy';
import { type BatchWriteResult, type ImportScope } from '../../entity-definition';
import { PRICE_VALUE_COLUMNS, type PriceRecord } from './price.record';

const STAGE = 'ferry_prices_stage';
const NUMERIC = new Set([
  'amount',
  'transform_quantity_divide_by',
  'price_unit_config_amount',
  'min_quantity',
]);
const INTEGER = new Set(['billing_period_count', 'trial_period_days']);
const JSONB = new Set(['tiers', 'price_unit_config_tiers', 'metadata']);
const TIME = new Set(['start_date', 'end_date']);
const VALUE_COLUMNS = PRICE_VALUE_COLUMNS.join(', ');
const STAGE_DDL =
  'line bigint, id text, ' +
  PRICE_VALUE_COLUMNS.map(
    (c) =>
      `${c} ${NUMERIC.has(c) ? 'numeric' : INTEGER.has(c) ? 'int' : JSONB.has(c) ? 'jsonb' : TIME.has(c) ? 'timestamptz' : 'text'}`,
  ).join(', ');

const MISSING_METERS = `DELETE FROM ${STAGE} s
  WHERE s.meter_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM meters m WHERE m.environment_id = $1 AND m.id = s.meter_id AND m.tenant_id = $2)
  RETURNING s.line`;
// A price already there with the same lookup_key and the same content: a re-run of the same file
// (docs/FORMATS.md §2), unchanged rather than refused.
const UNCHANGED = `DELETE FROM ${STAGE} s USING prices p
  WHERE p.environment_id = $1 AND p.lookup_key = s.lookup_key
    AND (${PRICE_VALUE_COLUMNS.map((c) => `p.${c}`).join(', ')})
      IS NOT DISTINCT FROM (${PRICE_VALUE_COLUMNS.map((c) => `s.${c}`).join(', ')})
  RETURNING s.line`;
// Rows an earlier delivery of this task already inserted (same derived id): done, not duplicated.
const ALREADY_INSERTED = `DELETE FROM ${STAGE} s USING prices p WHERE p.id = s.id RETURNING s.line`;
const TAKEN_LOOKUP_KEYS = `DELETE FROM ${STAGE} s USING prices p
  WHERE p.environment_id = $1 AND p.lookup_key = s.lookup_key RETURNING s.line`;
const INSERT = `INSERT INTO prices (id, tenant_id, environment_id, ${VALUE_COLUMNS}, task_id)
  SELECT s.id, $2, $1, ${PRICE_VALUE_COLUMNS.map((c) => `s.${c}`).join(', ')}, $3 FROM ${STAGE} s
  ON CONFLICT DO NOTHING RETURNING id`;

function* stageRows(records: readonly PriceRecord[]): Generator<string> {
  for (const r of records) {
    let row = `${r.origin.line}\t${cell(r.id)}`;
    for (const c of PRICE_VALUE_COLUMNS) row += `\t${cell(r.values[c])}`;
    yield row + '\n';
  }
}

/**
 * Inserts prices, set-based: COPY into a temp table, then refuse (as row errors) the rows whose
 * meter does not exist and whose lookup_key is taken, skip rows an earlier delivery of this task
 * inserted (ids are derived from task and line) and rows identical to the price that has their
 * lookup_key (unchanged), and insert the rest in one statement.
 */
export async function writePriceBatch(
  client: PoolClient,
  records: PriceRecord[],
  scope: ImportScope,
): Promise<BatchWriteResult> {
  const result: BatchWriteResult = { written: 0, duplicates: 0, rowErrors: [] };
  if (records.length === 0) return result;
  const byLine = new Map<number, PriceRecord>();
  const firstWithKey = new Map<string, number>();
  const staged: PriceRecord[] = [];
  for (const r of records) {
    byLine.set(r.origin.line, r);
    const key = r.values.lookup_key;
    const earlier = key === null ? undefined : firstWithKey.get(key);
    if (earlier !== undefined) {
      result.rowErrors.push(
        refusedRecord(
          r.origin,
          RowErrorCode.ALREADY_EXISTS,
          `lookup_key ${show(key ?? '')} is already used by row ${earlier} of this file`,
        ),
      );
      continue;
    }
    if (key !== null) firstWithKey.set(key, r.origin.line);
    staged.push(r);
  }
  await copyIntoStage(client, STAGE, STAGE_DDL, `line, id, ${VALUE_COLUMNS}`, stageRows(staged));
  const scopeParams = [scope.environmentId, scope.tenantId];

  const refuse = (
    lines: Array<{ line: string }>,
    code: RowErrorCode,
    message: (r: PriceRecord) => string,
  ) => {
    for (const { line } of lines) {
      const r = byLine.get(Number(line));
      if (r) result.rowErrors.push(refusedRecord(r.origin, code, message(r)));
    }
  };
  const missing = (await client.query<{ line: string }>(MISSING_METERS, scopeParams)).rows;
  refuse(
    missing,
    RowErrorCode.NOT_FOUND,
    (r) => `meter_id ${show(r.values.meter_id ?? '')} names no meter in this environment`,
  );
  const again = (await client.query(ALREADY_INSERTED)).rowCount ?? 0;
  const unchanged = (await client.query(UNCHANGED, [scope.environmentId])).rowCount ?? 0;
  const taken = (await client.query<{ line: string }>(TAKEN_LOOKUP_KEYS, [scope.environmentId]))
    .rows;
  refuse(
    taken,
    RowErrorCode.ALREADY_EXISTS,
    (r) => `lookup_key ${show(r.values.lookup_key ?? '')} already exists in this environment`,
  );
  const inserted = await client.query<{ id: string }>(INSERT, [
    scope.environmentId,
    scope.tenantId,
    scope.taskId,
  ]);
  result.written = inserted.rowCount ?? 0;
  result.duplicates = again + unchanged;
  result.outcome = { created: result.written, updated: 0, unchanged: again + unchanged };
  const expected = staged.length - missing.length - again - unchanged - taken.length;
  if (result.written < expected) {
    // Another task took a lookup_key between the check and the insert.
    const done = new Set(inserted.rows.map((row) => row.id));
    const { rows } = await client.query<{ id: string; line: string }>(
      `SELECT id, line FROM ${STAGE}`,
    );
    for (const row of rows) {
      const r = byLine.get(Number(row.line));
      if (r && !done.has(row.id)) {
        result.rowErrors.push(
          refusedRecord(
            r.origin,
            RowErrorCode.ALREADY_EXISTS,
            `lookup_key ${show(r.values.lookup_key ?? '')} already exists in this environment`,
          ),
        );
      }
    }
  }
  return result;
}
