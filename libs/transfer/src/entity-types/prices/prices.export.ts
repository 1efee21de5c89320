import { EntityType } from '@ferry/contracts';

import { exportColumns, ID_COLUMN, SERVER_TIMES } from '../../common/export-sql';
import type { EntityExportDefinition } from '../../export-definition';
import { PRICE_VALUE_COLUMNS } from './price.record';

/**
 * PRICES export: the import's columns (`tiers`, `price_unit_config_tiers` and `metadata` as JSON
 * cells, objects/arrays in a JSON export; dates RFC 3339 UTC), plus the server-assigned `id`,
 * `created_at` and `updated_at`. `meter_id` is an import column: it names a meter of this
 * environment, so moving prices elsewhere needs the meter ids mapped (DECISIONS, Issue 4).
 */
export const pricesExport: EntityExportDefinition = {
  entity: EntityType.PRICES,
  table: 'prices',
  columns: [
    ID_COLUMN,
    ...exportColumns(PRICE_VALUE_COLUMNS, {
      tiers: 'json',
      price_unit_config_tiers: 'json',
      start_date: 'time',
      end_date: 'time',
      metadata: 'json',
    }),
    ...SERVER_TIMES,
  ],
  timeColumn: 'created_at',
  idColumn: 'id',
  tieBreak: 'lookup_key',
  filters: {},
};
