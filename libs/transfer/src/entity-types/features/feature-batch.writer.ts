import type { PoolClient } from 'pg';

import { foldByKey } from '../../common/fold-by-key';
import { cell, copyIntoStage } from '../../common/staged-copy';
import { foldMetadata } from '../../common/string-map.builder';
import { type BatchWriteResult, type ImportScope } from '../../entity-definition';
import { type FeatureRecord } from './feature.record';

const STAGE = 'ferry_features_stage';
const STAGE_COLUMNS =
  'id, meter_id, name, type, lookup_key, unit_singular, unit_plural, metadata_set, metadata_remove, ' +
  'meter_name, event_name, aggregation_type, aggregation_field, aggregation_multiplier, aggregation_bucket_size, reset_usage';
const STAGE_DDL =
  'id text, meter_id text, name text, type text, lookup_key text, unit_singular text, unit_plural text, ' +
  'metadata_set jsonb, metadata_remove jsonb, meter_name text, event_name text, aggregation_type text, ' +
  'aggregation_field text, aggregation_multiplier numeric, aggregation_bucket_size text, reset_usage text';

// An existing metered feature keeps its meter (prices refer to it): the meter is updated in place.
const REUSE_METERS = `UPDATE ${STAGE} s SET meter_id = f.meter_id FROM features f
  WHERE f.environment_id = $1 AND f.lookup_key = s.lookup_key AND f.meter_id IS NOT NULL AND s.type = 'metered'`;

const UPSERT_METERS = `INSERT INTO meters (id, tenant_id, environment_id, name, event_name, aggregation_type,
    aggregation_field, aggregation_multiplier, aggregation_bucket_size, reset_usage)
  SELECT s.meter_id, $2, $1, s.meter_name, s.event_name, s.aggregation_type, s.aggregation_field,
    s.aggregation_multiplier, s.aggregation_bucket_size, s.reset_usage
  FROM ${STAGE} s WHERE s.type = 'metered'
  ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, event_name = EXCLUDED.event_name,
    aggregation_type = EXCLUDED.aggregation_type, aggregation_field = EXCLUDED.aggregation_field,
    aggregation_multiplier = EXCLUDED.aggregation_multiplier,
    aggregation_bucket_size = EXCLUDED.aggregation_bucket_size, reset_usage = EXCLUDED.reset_usage,
    updated_at = now()
  WHERE meters.environment_id = EXCLUDED.environment_id`;

const UPSERT_FEATURES = `INSERT INTO features (id, tenant_id, environment_id, name, type, lookup_key,
    unit_singular, unit_plural, meter_id, metadata, task_id)
  SELECT s.id, $2, $1, s.name, s.type, s.lookup_key, s.unit_singular, s.unit_plural,
    CASE WHEN s.type = 'metered' THEN s.meter_id END, s.metadata_set, $3
  FROM ${STAGE} s
  ON CONFLICT (environment_id, lookup_key) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type,
    unit_singular = EXCLUDED.unit_singular, unit_plural = EXCLUDED.unit_plural,
    meter_id = EXCLUDED.meter_id, metadata = features.metadata || EXCLUDED.metadata,
    task_id = EXCLUDED.task_id, updated_at = now()`;

const REMOVE_METADATA = `UPDATE features f
  SET metadata = f.metadata - ARRAY(SELECT jsonb_array_elements_text(s.metadata_remove))
  FROM ${STAGE} s
  WHERE f.environment_id = $1 AND f.lookup_key = s.lookup_key AND jsonb_array_length(s.metadata_remove) > 0`;

/** Folds a later row for the same lookup_key into an earlier one: its values, both metadata. */
function fold(into: FeatureRecord, next: FeatureRecord): FeatureRecord {
  return { ...next, ...foldMetadata(into, next), id: into.id, meterId: into.meterId };
}

function* stageRows(records: Iterable<FeatureRecord>): Generator<string> {
  for (const r of records) {
    const m = r.meter;
    yield (
      [
        cell(r.id),
        cell(r.meterId),
        cell(r.name),
        cell(r.type),
        cell(r.lookupKey),
        cell(r.unitSingular),
        cell(r.unitPlural),
        cell(JSON.stringify(r.metadataSet)),
        cell(JSON.stringify(r.metadataRemove)),
        cell(m?.name ?? null),
        cell(m?.eventName ?? null),
        cell(m?.aggregationType ?? null),
        cell(m?.aggregationField ?? null),
        cell(m?.aggregationMultiplier ?? null),
        cell(m?.aggregationBucketSize ?? null),
        cell(m?.resetUsage ?? null),
      ].join('\t') + '\n'
    );
  }
}

/**
 * Upserts features by lookup_key with their inline meters, set-based: COPY into a temp table,
 * keep the meters existing features already have, upsert meters, upsert features (metadata
 * merged), drop the metadata keys blank cells cleared. Rows repeating a lookup_key in the batch
 * are folded in file order first (the last one's values, all their metadata).
 */
export async function writeFeatureBatch(
  client: PoolClient,
  records: FeatureRecord[],
  scope: ImportScope,
): Promise<BatchWriteResult> {
  const result: BatchWriteResult = { written: 0, duplicates: 0, rowErrors: [] };
  if (records.length === 0) return result;
  const byKey = foldByKey(records, (r) => r.lookupKey, fold);
  await copyIntoStage(client, STAGE, STAGE_DDL, STAGE_COLUMNS, stageRows(byKey.values()));
  const env = [scope.environmentId];
  await client.query(REUSE_METERS, env);
  await client.query(UPSERT_METERS, [scope.environmentId, scope.tenantId]);
  await client.query(UPSERT_FEATURES, [scope.environmentId, scope.tenantId, scope.taskId]);
  await client.query(REMOVE_METADATA, env);
  result.written = records.length;
  return result;
}
