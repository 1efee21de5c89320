import { EntityType } from '@ferry/contracts';

import { SERVER_TIMES, textColumns, utc } from '../../common/export-sql';
import type { EntityExportDefinition } from '../../export-definition';

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
    ...textColumns(
      'id',
      'currency',
      'entity_type',
      'entity_id',
      'type',
      'billing_period',
      'billing_period_count',
      'billing_model',
      'invoice_cadence',
      'amount',
      'meter_id',
      'tier_mode',
    ),
    { name: 'tiers', sql: 'tiers::text', kind: 'json' },
    ...textColumns(
      'transform_quantity_divide_by',
      'transform_quantity_round',
      'price_unit_type',
      'price_unit_config_price_unit',
      'price_unit_config_amount',
    ),
    { name: 'price_unit_config_tiers', sql: 'price_unit_config_tiers::text', kind: 'json' },
    { name: 'trial_period_days', sql: 'trial_period_days', kind: 'text' },
    { name: 'start_date', sql: utc('start_date'), kind: 'text' },
    { name: 'end_date', sql: utc('end_date'), kind: 'text' },
    ...textColumns('min_quantity', 'lookup_key', 'display_name', 'description', 'group_id'),
    { name: 'metadata', sql: 'metadata::text', kind: 'json' },
    ...SERVER_TIMES,
  ],
  timeColumn: 'created_at',
  idColumn: 'id',
  tieBreak: 'lookup_key',
  filters: {},
};
