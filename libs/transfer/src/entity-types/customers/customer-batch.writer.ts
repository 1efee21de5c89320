import type { PoolClient } from 'pg';

import { foldByKey } from '../../common/fold-by-key';
import { cell, copyIntoStage } from '../../common/staged-copy';
import { foldMetadata } from '../../common/string-map.builder';
import { type BatchWriteResult, type ImportScope } from '../../entity-definition';
import { CUSTOMER_FIELDS, type CustomerRecord, METADATA_BIT } from './customer.record';

const STAGE = 'ferry_customers_stage';
const FIELD_LIST = CUSTOMER_FIELDS.join(', ');
const STAGE_COLUMNS = `grp, id, external_id, name, ${FIELD_LIST}, metadata_set, metadata_remove`;
// Keyed by external_id (unique once folded): the index the metadata removal probes.
const STAGE_DDL =
  'grp int, id text, external_id text PRIMARY KEY, name text, ' +
  CUSTOMER_FIELDS.map((f) => `${f} text`).join(', ') +
  ', metadata_set jsonb, metadata_remove jsonb';

/**
 * One INSERT … ON CONFLICT DO UPDATE for the staged rows of one group: rows whose file has the
 * same columns (`present`) and which do or do not remove metadata keys. A field the file has no
 * column for is left out of the SET (absent keeps); a blank cell in a present column is a null
 * (blank clears); metadata merges, minus the keys the row removes.
 */
function upsertSql(present: number, removes: boolean): string {
  const columns = ['name'];
  const values = ['excluded.name'];
  CUSTOMER_FIELDS.forEach((f, bit) => {
    if (present & (1 << bit)) {
      columns.push(f);
      values.push(`excluded.${f}`);
    }
  });
  if (present & METADATA_BIT) {
    columns.push('metadata');
    values.push(
      removes
        ? `(c.metadata || excluded.metadata) - ARRAY(SELECT jsonb_array_elements_text(r.metadata_remove) FROM ${STAGE} r WHERE r.external_id = excluded.external_id)`
        : 'c.metadata || excluded.metadata',
    );
  }
  const set = columns.map((c, i) => `${c} = ${values[i]}`);
  // A row that would change nothing is not written (an identical re-run is a no-op: unchanged).
  const changes = `(${columns.map((c) => `c.${c}`).join(', ')}) IS DISTINCT FROM (${values.join(', ')})`;
  return `INSERT INTO customers AS c (id, tenant_id, environment_id, external_id, name, ${FIELD_LIST}, metadata, task_id)
    SELECT s.id, $2, $1, s.external_id, s.name, ${CUSTOMER_FIELDS.map((f) => `s.${f}`).join(', ')}, s.metadata_set, $3
    FROM ${STAGE} s WHERE s.grp = $4
    ON CONFLICT (environment_id, external_id) DO UPDATE SET ${set.join(', ')},
      task_id = excluded.task_id, updated_at = now()
    WHERE c.tenant_id = $2 AND ${changes}
    RETURNING (xmax = 0) AS created`;
}

const statements = new Map<number, string>();
function upsertFor(group: number): string {
  let sql = statements.get(group);
  if (sql === undefined) statements.set(group, (sql = upsertSql(group >> 1, (group & 1) === 1)));
  return sql;
}

// The row as it was before this task, for a revert (docs/API.md §5): the first image per task wins.
const BEFORE_IMAGES = `INSERT INTO import_before_images (task_id, entity_type, row_id, image)
  SELECT $3, 'CUSTOMERS', c.id, to_jsonb(c) - 'written_xid' FROM customers c JOIN ${STAGE} s
    ON c.environment_id = $1 AND c.external_id = s.external_id AND c.tenant_id = $2
  ON CONFLICT DO NOTHING`;

/** Folds a later row for the same external_id into an earlier one, as if applied in order. */
function fold(into: CustomerRecord, next: CustomerRecord): CustomerRecord {
  const fields = { ...into.fields };
  CUSTOMER_FIELDS.forEach((f, bit) => {
    if (next.present & (1 << bit)) fields[f] = next.fields[f];
  });
  return {
    ...next,
    ...foldMetadata(into, next),
    id: into.id,
    fields,
    present: into.present | next.present,
  };
}

/** A record's statement group: its file's columns, and whether it removes metadata keys. */
function groupOf(r: CustomerRecord): number {
  return (r.present << 1) | (r.metadataRemove.length > 0 ? 1 : 0);
}

function* stageRows(records: Iterable<CustomerRecord>): Generator<string> {
  for (const r of records) {
    let row = `${groupOf(r)}\t${cell(r.id)}\t${cell(r.externalId)}\t${cell(r.name)}`;
    for (const f of CUSTOMER_FIELDS) row += `\t${cell(r.fields[f])}`;
    row += `\t${cell(JSON.stringify(r.metadataSet))}\t`;
    row += r.metadataRemove.length > 0 ? `${cell(JSON.stringify(r.metadataRemove))}\n` : '\\N\n';
    yield row;
  }
}

/**
 * Upserts customers by external_id, set-based: rows repeating an external_id within the batch
 * are folded in file order first, then one COPY into a temp table and one INSERT … ON CONFLICT
 * DO UPDATE per statement group (one for a CSV file whose metadata cells are all filled; a JSON
 * file whose elements have other keys has more). Never a statement per row.
 */
export async function writeCustomerBatch(
  client: PoolClient,
  records: CustomerRecord[],
  scope: ImportScope,
): Promise<BatchWriteResult> {
  const result: BatchWriteResult = { written: 0, duplicates: 0, rowErrors: [] };
  if (records.length === 0) return result;
  const byKey = foldByKey(records, (r) => r.externalId, fold);
  const groups = new Set<number>();
  for (const r of byKey.values()) groups.add(groupOf(r));
  await copyIntoStage(client, STAGE, STAGE_DDL, STAGE_COLUMNS, stageRows(byKey.values()));
  let created = 0;
  let changed = 0;
  const imaged = await client.query(BEFORE_IMAGES, [
    scope.environmentId,
    scope.tenantId,
    scope.taskId,
  ]);
  result.changed = imaged.rowCount ?? 0;
  for (const group of groups) {
    const { rows } = await client.query<{ created: boolean }>(upsertFor(group), [
      scope.environmentId,
      scope.tenantId,
      scope.taskId,
      group,
    ]);
    for (const r of rows) if (r.created) created++;
    changed += rows.length;
  }
  result.written = records.length;
  // Rows folded into a later one of the same external_id were applied too: updated.
  const updated = changed - created + (records.length - byKey.size);
  result.outcome = { created, updated, unchanged: byKey.size - changed };
  return result;
}
