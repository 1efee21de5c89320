import { EntityType } from '../enums';
import { refuseMetadata, shown } from './metadata-refusal';

/**
 * The columns an export of each entity type writes, in their order (docs/FORMATS.md §2). The
 * entity folders of libs/transfer define how each is rendered; `registries.spec.ts` there pins
 * their names to this table, so the gateway can refuse an unknown column before a task exists.
 */
export const EXPORT_COLUMN_NAMES: Readonly<Record<EntityType, readonly string[]>> = {
  [EntityType.EVENTS]: [
    'event_id',
    'event_name',
    'external_customer_id',
    'customer_id',
    'timestamp',
    'source',
    'properties',
    'created_at',
  ],
  [EntityType.CUSTOMERS]: [
    'id',
    'external_id',
    'name',
    'email',
    'address_line1',
    'address_line2',
    'address_city',
    'address_state',
    'address_postal_code',
    'address_country',
    'metadata',
    'created_at',
    'updated_at',
  ],
  [EntityType.FEATURES]: [
    'id',
    'name',
    'type',
    'lookup_key',
    'unit_singular',
    'unit_plural',
    'meter_name',
    'event_name',
    'aggregation_type',
    'aggregation_field',
    'aggregation_multiplier',
    'aggregation_bucket_size',
    'reset_usage',
    'metadata',
    'meter_id',
    'created_at',
    'updated_at',
  ],
  [EntityType.PRICES]: [
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
    'tiers',
    'transform_quantity_divide_by',
    'transform_quantity_round',
    'price_unit_type',
    'price_unit_config_price_unit',
    'price_unit_config_amount',
    'price_unit_config_tiers',
    'trial_period_days',
    'start_date',
    'end_date',
    'min_quantity',
    'lookup_key',
    'display_name',
    'description',
    'group_id',
    'metadata',
    'created_at',
    'updated_at',
  ],
};

/**
 * A column selection (`metadata.columns` of an export, `job_config.columns` of a schedule): a
 * non-empty array of distinct names the entity type exports, written in the order given; null
 * when absent (every column). Anything else throws a validation FerryError whose sentence names
 * the bad columns and the ones there are. `key` is the field as the caller names it.
 */
export function parseExportColumns(
  value: unknown,
  entity: EntityType,
  key = 'columns',
  refuse: (key: string, message: string) => never = refuseMetadata,
): string[] | null {
  const field = key === 'columns' ? 'metadata.columns' : key;
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length === 0) {
    refuse(key, `${field} must be a non-empty array of column names, not ${shown(value)}`);
  }
  const known = EXPORT_COLUMN_NAMES[entity];
  const unknown: string[] = [];
  const seen = new Set<string>();
  for (const name of value as unknown[]) {
    if (typeof name !== 'string' || !known.includes(name)) unknown.push(shown(name));
    else if (seen.has(name)) refuse(key, `${field} names "${name}" twice`);
    else seen.add(name);
  }
  if (unknown.length > 0) {
    refuse(
      key,
      `${field} names ${unknown.length === 1 ? 'a column' : 'columns'} an export of ${entity} does not have: ${unknown.join(', ')}; it has ${known.join(', ')}`,
    );
  }
  return value as string[];
}
