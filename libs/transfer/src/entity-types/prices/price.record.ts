import { type RowOrigin } from '../../common/base-row.mapper';

export const PRICE_ENTITY_TYPES = ['PLAN', 'SUBSCRIPTION', 'ADDON', 'PRICE', 'COSTSHEET'] as const;
export const PRICE_TYPES = ['USAGE', 'FIXED'] as const;
export const BILLING_PERIODS = [
  'MONTHLY',
  'ANNUAL',
  'WEEKLY',
  'DAILY',
  'QUARTERLY',
  'HALF_YEARLY',
  'ONETIME',
] as const;
export const BILLING_MODELS = ['FLAT_FEE', 'PACKAGE', 'TIERED'] as const;
export const INVOICE_CADENCES = ['ARREAR', 'ADVANCE'] as const;
export const TIER_MODES = ['VOLUME', 'SLAB'] as const;
export const ROUND_MODES = ['up', 'down'] as const;
export const PRICE_UNIT_TYPES = ['FIAT', 'CUSTOM'] as const;

/** One tier, normalised: amounts as decimal text, `up_to` null on an open-ended last tier. */
export interface PriceTier {
  up_to: number | null;
  unit_amount: string;
  flat_amount: string | null;
}

/** One price row, checked, in the table's column names (all text ready for COPY). */
export interface PriceRecord {
  /** Derived from the task and the line: a rerun inserts nothing twice. */
  id: string;
  values: PriceValues;
  origin: RowOrigin;
}

export interface PriceValues {
  currency: string;
  entity_type: string;
  entity_id: string;
  type: string;
  billing_period: string;
  billing_period_count: number;
  billing_model: string;
  invoice_cadence: string;
  amount: string | null;
  meter_id: string | null;
  tier_mode: string | null;
  tiers: string | null;
  transform_quantity_divide_by: number | null;
  transform_quantity_round: string | null;
  price_unit_type: string;
  price_unit_config_price_unit: string | null;
  price_unit_config_amount: string | null;
  price_unit_config_tiers: string | null;
  trial_period_days: number | null;
  start_date: string | null;
  end_date: string | null;
  min_quantity: string | null;
  lookup_key: string | null;
  display_name: string | null;
  description: string | null;
  group_id: string | null;
  metadata: string;
}

/**
 * The stored columns, in COPY order: also exactly the columns a prices file may have (docs/FORMATS.md
 * §2), in the order an export writes them (after `id`); `metadata.<key>` columns come on top.
 */
export const PRICE_VALUE_COLUMNS = [
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
] as const satisfies ReadonlyArray<keyof PriceValues>;
