import { EntityType } from '@ferry/contracts';

import { exportColumns, ID_COLUMN, SERVER_TIMES } from '../../common/export-sql';
import type { EntityExportDefinition } from '../../export-definition';
import { FEATURE_COLUMNS } from './feature.record';

/**
 * A feature with its inline meter's columns under the import's names (`meter_name` is the meter's
 * name); a feature without a meter has them all null, as the import wants for boolean/static.
 */
const FEATURES_WITH_METERS = `(
  SELECT f.id, f.tenant_id, f.environment_id, f.name, f.type, f.lookup_key, f.unit_singular,
         f.unit_plural, f.metadata, f.meter_id, f.created_at, f.updated_at, f.written_xid,
         m.name AS meter_name, m.event_name, m.aggregation_type, m.aggregation_field,
         m.aggregation_multiplier, m.aggregation_bucket_size, m.reset_usage
    FROM features f LEFT JOIN meters m ON m.environment_id = f.environment_id AND m.id = f.meter_id
) AS features_export`;

/**
 * FEATURES export: the import's columns including the inline meter, `metadata` as one JSON-object
 * cell, plus the server-assigned `id`, `meter_id` (what prices refer to), `created_at` and
 * `updated_at`, which an import ignores.
 */
export const featuresExport: EntityExportDefinition = {
  entity: EntityType.FEATURES,
  table: FEATURES_WITH_METERS,
  columns: [
    ID_COLUMN,
    ...exportColumns(FEATURE_COLUMNS, { metadata: 'json' }),
    { name: 'meter_id', sql: 'meter_id', kind: 'text' },
    ...SERVER_TIMES,
  ],
  timeColumn: 'created_at',
  idColumn: 'id',
  tieBreak: 'lookup_key',
  filters: { event_name: 'event_name' },
};
