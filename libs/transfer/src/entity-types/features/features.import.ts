import { EntityType } from '@ferry/contracts';

import { type EntityImportDefinition } from '../../entity-definition';
import { type FeatureRecord } from './feature.record';
import { writeFeatureBatch } from './feature-batch.writer';
import { FEATURE_REQUIRED_COLUMNS, FeatureRowMapper } from './feature-row.mapper';

/** FEATURES import (docs/FORMATS.md §2): upsert by lookup_key, a metered feature with its inline meter. */
export const featuresImport: EntityImportDefinition<FeatureRecord> = {
  entity: EntityType.FEATURES,
  keepsBeforeImages: true,
  revert: {
    table: 'features',
    kind: 'upserted',
    key: 'lookup_key',
    restore: ['name', 'type', 'unit_singular', 'unit_plural', 'meter_id', 'metadata'],
    meters: true,
  },
  requiredColumns: FEATURE_REQUIRED_COLUMNS,
  compile: (header, scope) => FeatureRowMapper.compile(header, scope),
  writeBatch: (client, records, scope) => writeFeatureBatch(client, records, scope),
};
