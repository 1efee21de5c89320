import type { PoolClient } from 'pg';
import { copyIntoStage, cell } from '../common/staged-copy';
import { BatchWriteResult, ImportScope } from '../entity-definition';
import { CUSTOMER_FIELDS, CustomerRecord, METADATA_BIT } from './customer.record';

const STAGE = 'ferry_customers_stage';
const STAGE_COLUMNS = `id, external_id, name, ${CUSTOMER_FIELDS.join(', ')}, present, metadata_set, metadata_remove`;
const STAGE_DDL =
  'id text, external_id text, name text, ' +
  CUSTOMER_FIELDS.map((f) => `${f} text`).join(', ') +
  ', present int, metadata_set jsonb, metadata_remove jsonb';

// A field the file has no column for keeps its value; a blank cell in a present column clears it.
const UPDATE =
  `UPDATE customers c SET name = s.name, ` +
  CUSTOMER_FIELDS.map(
    (f, bit) => `${f} = CASE WHEN s.present & ${1 << bit} <> 0 THEN s.${f} ELSE c.${f} END`,
  ).join(', ') +
  `, metadata = CASE WHEN s.present & ${METADATA_BIT} <> 0
      THEN (c.metadata || s.metadata_set) - ARRAY(SELECT jsonb_array_elements_text(s.metadata_remove))
      ELSE c.metadata END,
    task_id = $3, updated_at = now()
  FROM ${STAGE} s
  WHERE c.environment_id = $1 AND c.tenant_id = $2 AND c.external_id = s.external_id`;

const INSERT = `INSERT INTO customers (id, tenant_id, environment_id, external_id, name, ${CUSTOMER_FIELDS.join(', ')}, metadata, task_id)
   SELECT s.id, $2, $1, s.external_id, s.name, ${CUSTOMER_FIELDS.map((f) => `s.${f}`).join(', ')}, s.metadata_set, $3
   FROM ${STAGE} s
   WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.environment_id = $1 AND c.external_id = s.external_id)
   ON CONFLICT (environment_id, external_id) DO NOTHING`;

/** Folds a later row for the same external_id into an earlier one, as if applied in order. */
function fold(into: CustomerRecord, next: CustomerRecord): CustomerRecord {
  const fields = { ...into.fields };
  CUSTOMER_FIELDS.forEach((f, bit) => {
    if (next.present & (1 << bit)) fields[f] = next.fields[f];
  });
  const set = { ...into.metadataSet };
  for (const key of next.metadataRemove) delete set[key];
  Object.assign(set, next.metadataSet);
  const remove = into.metadataRemove
    .filter((k) => !(k in next.metadataSet))
    .concat(next.metadataRemove);
  return {
    ...next,
    id: into.id,
    fields,
    present: into.present | next.present,
    metadataSet: set,
    metadataRemove: [...new Set(remove)],
  };
}

function* stageRows(records: Iterable<CustomerRecord>): Generator<string> {
  for (const r of records) {
    let row = `${cell(r.id)}\t${cell(r.externalId)}\t${cell(r.name)}`;
    for (const f of CUSTOMER_FIELDS) row += `\t${cell(r.fields[f])}`;
    row += `\t${r.present}\t${cell(JSON.stringify(r.metadataSet))}\t${cell(JSON.stringify(r.metadataRemove))}\n`;
    yield row;
  }
}

/**
 * Upserts customers by external_id with three set-based statements per batch: COPY into a temp
 * table, UPDATE the ones that exist (only the columns the file has; metadata merged), INSERT the
 * rest. Rows repeating an external_id within the batch are folded in file order first.
 */
export async function writeCustomerBatch(
  client: PoolClient,
  records: CustomerRecord[],
  scope: ImportScope,
): Promise<BatchWriteResult> {
  const result: BatchWriteResult = { written: 0, duplicates: 0, rowErrors: [] };
  if (records.length === 0) return result;
  const byKey = new Map<string, CustomerRecord>();
  for (const r of records) {
    const earlier = byKey.get(r.externalId);
    byKey.set(r.externalId, earlier ? fold(earlier, r) : r);
  }
  await copyIntoStage(client, STAGE, STAGE_DDL, STAGE_COLUMNS, stageRows(byKey.values()));
  const params = [scope.environmentId, scope.tenantId, scope.taskId];
  const updated = (await client.query(UPDATE, params)).rowCount ?? 0;
  const inserted = (await client.query(INSERT, params)).rowCount ?? 0;
  // A customer another task inserted between the two statements: update it after all.
  if (updated + inserted < byKey.size) await client.query(UPDATE, params);
  result.written = records.length;
  return result;
}
