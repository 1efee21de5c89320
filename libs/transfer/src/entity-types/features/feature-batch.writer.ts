import type { PoolClient } from 'pg';

import { RowErrorCode } from '@ferry/contracts';

import { refusedRecord } from '../../common/base-row.mapper';
import { foldByKey } from '../../common/fold-by-key';
import { cell, copyIntoStage } from '../../common/staged-copy';
import { foldMetadata } from '../../common/string-map.builder';
import {
  type BatchWriteResult,
  type ImportScope,
  type WriteOutcome,
} from '../../entity-definition';
import { type FeatureRecord } from './feature.record';

const STAGE = 'ferry_features_stage';
const STAGE_COLUMNS =
  'line, given_meter, id, meter_id, name, type, lookup_key, unit_singular, unit_plural, metadata_set, metadata_remove, ' +
  'meter_name, event_name, aggregation_type, aggregation_field, aggregation_multiplier, aggregation_bucket_size, reset_usage';
const STAGE_DDL =
  'line bigint, given_meter boolean, id text, meter_id text, name text, type text, lookup_key text, unit_singular text, unit_plural text, ' +
  'metadata_set jsonb, metadata_remove jsonb, meter_name text, event_name text, aggregation_type text, ' +
  'aggregation_field text, aggregation_multiplier numeric, aggregation_bucket_size text, reset_usage text';

// An existing metered feature keeps its meter (prices refer to it): the meter is updated in place.
const REUSE_METERS = `UPDATE ${STAGE} s SET meter_id = f.meter_id FROM features f
  WHERE f.environment_id = $1 AND f.lookup_key = s.lookup_key AND f.meter_id IS NOT NULL
    AND s.type = 'metered' AND NOT s.given_meter`;

// A meter id the file brings (issue 13) may not be another feature's meter, in the environment
// or earlier in the batch, nor replace the meter a feature already has: those rows are refused.
const REFUSE_GIVEN_METERS = `WITH taken AS (
    SELECT s.lookup_key, 'meter_id ' || to_json(s.meter_id)::text || ' is the meter of feature '
      || to_json(f.lookup_key)::text AS why
    FROM ${STAGE} s JOIN features f ON f.environment_id = $1 AND f.meter_id = s.meter_id
    WHERE s.given_meter AND f.lookup_key <> s.lookup_key
    UNION ALL
    SELECT s.lookup_key, 'feature ' || to_json(f.lookup_key)::text || ' already has meter '
      || to_json(f.meter_id)::text || '; meter_id ' || to_json(s.meter_id)::text || ' would replace it'
    FROM ${STAGE} s JOIN features f ON f.environment_id = $1 AND f.lookup_key = s.lookup_key
    WHERE s.given_meter AND f.meter_id IS NOT NULL AND f.meter_id <> s.meter_id
    UNION ALL
    SELECT s.lookup_key, 'meter_id ' || to_json(s.meter_id)::text || ' is given to feature '
      || to_json(t.lookup_key)::text || ' earlier in the file'
    FROM ${STAGE} s JOIN ${STAGE} t ON t.meter_id = s.meter_id AND t.line < s.line
    WHERE s.given_meter AND t.type = 'metered'
  ), gone AS (
    DELETE FROM ${STAGE} s USING taken WHERE s.lookup_key = taken.lookup_key RETURNING s.lookup_key
  )
  SELECT DISTINCT ON (lookup_key) lookup_key, why FROM taken ORDER BY lookup_key`;

const UPSERT_METERS = `INSERT INTO meters (id, tenant_id, environment_id, name, event_name, aggregation_type,
    aggregation_field, aggregation_multiplier, aggregation_bucket_size, reset_usage)
  SELECT s.meter_id, $2, $1, s.meter_name, s.event_name, s.aggregation_type, s.aggregation_field,
    s.aggregation_multiplier, s.aggregation_bucket_size, s.reset_usage
  FROM ${STAGE} s WHERE s.type = 'metered'
  ON CONFLICT (environment_id, id) DO UPDATE SET name = EXCLUDED.name, event_name = EXCLUDED.event_name,
    aggregation_type = EXCLUDED.aggregation_type, aggregation_field = EXCLUDED.aggregation_field,
    aggregation_multiplier = EXCLUDED.aggregation_multiplier,
    aggregation_bucket_size = EXCLUDED.aggregation_bucket_size, reset_usage = EXCLUDED.reset_usage,
    updated_at = now()
  WHERE (meters.name, meters.event_name, meters.aggregation_type, meters.aggregation_field,
      meters.aggregation_multiplier, meters.aggregation_bucket_size, meters.reset_usage)
    IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.event_name, EXCLUDED.aggregation_type,
      EXCLUDED.aggregation_field, EXCLUDED.aggregation_multiplier,
      EXCLUDED.aggregation_bucket_size, EXCLUDED.reset_usage)
  RETURNING id`;

const UPSERT_FEATURES = `INSERT INTO features (id, tenant_id, environment_id, name, type, lookup_key,
    unit_singular, unit_plural, meter_id, metadata, task_id)
  SELECT s.id, $2, $1, s.name, s.type, s.lookup_key, s.unit_singular, s.unit_plural,
    CASE WHEN s.type = 'metered' THEN s.meter_id END, s.metadata_set, $3
  FROM ${STAGE} s
  ON CONFLICT (environment_id, lookup_key) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type,
    unit_singular = EXCLUDED.unit_singular, unit_plural = EXCLUDED.unit_plural,
    meter_id = EXCLUDED.meter_id, metadata = features.metadata || EXCLUDED.metadata,
    task_id = EXCLUDED.task_id, updated_at = now()
  WHERE (features.name, features.type, features.unit_singular, features.unit_plural,
      features.meter_id, features.metadata)
    IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.type, EXCLUDED.unit_singular, EXCLUDED.unit_plural,
      EXCLUDED.meter_id, features.metadata || EXCLUDED.metadata)
  RETURNING lookup_key, (xmax = 0) AS created`;

const REMOVE_METADATA = `UPDATE features f
  SET metadata = f.metadata - ARRAY(SELECT jsonb_array_elements_text(s.metadata_remove))
  FROM ${STAGE} s
  WHERE f.environment_id = $1 AND f.lookup_key = s.lookup_key AND jsonb_array_length(s.metadata_remove) > 0
    AND f.metadata ?| ARRAY(SELECT jsonb_array_elements_text(s.metadata_remove))
  RETURNING f.lookup_key`;

// The rows as they were before this task, for a revert (docs/API.md §5): the feature, and the
// meter an existing metered feature keeps. The first image per task wins.
const BEFORE_IMAGES = `INSERT INTO import_before_images (task_id, entity_type, row_id, image)
  SELECT $3, 'FEATURES', f.id, to_jsonb(f) - 'written_xid' FROM features f JOIN ${STAGE} s
    ON f.environment_id = $1 AND f.lookup_key = s.lookup_key AND f.tenant_id = $2
  ON CONFLICT DO NOTHING`;
const METER_IMAGES = `INSERT INTO import_before_images (task_id, entity_type, row_id, image)
  SELECT $3, 'METERS', m.id, to_jsonb(m) - 'written_xid' FROM meters m JOIN ${STAGE} s
    ON m.id = s.meter_id AND m.environment_id = $1 AND m.tenant_id = $2
  ON CONFLICT DO NOTHING`;

/** Folds a later row for the same lookup_key into an earlier one: its values, both metadata. */
function fold(into: FeatureRecord, next: FeatureRecord): FeatureRecord {
  const meter = next.meterIdGiven
    ? { meterId: next.meterId, meterIdGiven: true }
    : { meterId: into.meterId, meterIdGiven: into.meterIdGiven };
  return { ...next, ...foldMetadata(into, next), id: into.id, ...meter };
}

function* stageRows(records: Iterable<FeatureRecord>): Generator<string> {
  for (const r of records) {
    const m = r.meter;
    yield (
      [
        cell(String(r.origin.line)),
        r.meterIdGiven ? 't' : 'f',
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
  const refused = await client.query<{ lookup_key: string; why: string }>(REFUSE_GIVEN_METERS, env);
  for (const r of refused.rows) {
    const rec = byKey.get(r.lookup_key);
    if (rec) result.rowErrors.push(refusedRecord(rec.origin, RowErrorCode.ALREADY_EXISTS, r.why));
  }
  await client.query(REUSE_METERS, env);
  const images = [scope.environmentId, scope.tenantId, scope.taskId];
  result.changed = (await client.query(BEFORE_IMAGES, images)).rowCount ?? 0;
  await client.query(METER_IMAGES, images);
  const meters = await client.query<{ id: string }>(UPSERT_METERS, [
    scope.environmentId,
    scope.tenantId,
  ]);
  const features = await client.query<{ lookup_key: string; created: boolean }>(UPSERT_FEATURES, [
    scope.environmentId,
    scope.tenantId,
    scope.taskId,
  ]);
  const removed = await client.query<{ lookup_key: string }>(REMOVE_METADATA, env);
  result.outcome = outcomeOf(byKey, meters.rows, features.rows, removed.rows, records.length);
  // Folded rows count as written; a refused key's rows (all folded into one) count as one error.
  result.written = records.length - result.rowErrors.length;
  const o = result.outcome;
  o.unchanged -= result.rowErrors.length;
  return result;
}

/**
 * New, changed and unchanged features of a batch: a feature is changed when its row, its meter
 * or its metadata changed; rows folded into a later one of their lookup_key count as changed.
 */
function outcomeOf(
  byKey: ReadonlyMap<string, FeatureRecord>,
  meters: ReadonlyArray<{ id: string }>,
  features: ReadonlyArray<{ lookup_key: string; created: boolean }>,
  removed: ReadonlyArray<{ lookup_key: string }>,
  records: number,
): WriteOutcome {
  const changedMeters = new Set(meters.map((m) => m.id));
  const changed = new Set(removed.map((r) => r.lookup_key));
  let created = 0;
  for (const f of features) {
    if (f.created) created++;
    else changed.add(f.lookup_key);
  }
  for (const [key, r] of byKey) if (r.meter && changedMeters.has(r.meterId)) changed.add(key);
  const createdKeys = new Set(features.filter((f) => f.created).map((f) => f.lookup_key));
  for (const k of createdKeys) changed.delete(k);
  const updated = changed.size + (records - byKey.size);
  return { created, updated, unchanged: byKey.size - created - changed.size };
}
