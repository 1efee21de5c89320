import { type RowOrigin } from '../../common/base-row.mapper';

/** `config` is Flexprice's fourth type (docs/FORMATS.md §2): like `static`, no meter. */
export const FEATURE_TYPES = ['metered', 'boolean', 'static', 'config'] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

export const AGGREGATION_TYPES = [
  'COUNT',
  'SUM',
  'AVG',
  'COUNT_UNIQUE',
  'LATEST',
  'SUM_WITH_MULTIPLIER',
  'MAX',
  'WEIGHTED_SUM',
] as const;
export type AggregationType = (typeof AGGREGATION_TYPES)[number];

export const BUCKET_SIZES = [
  'MINUTE',
  '15MIN',
  '30MIN',
  'HOUR',
  '3HOUR',
  '6HOUR',
  '12HOUR',
  'DAY',
  'WEEK',
  'MONTH',
] as const;
export const RESET_USAGE = ['BILLING_PERIOD', 'NEVER'] as const;

/** The columns of a metered feature's inline meter (`meter_name` is the meter's name). */
export const METER_COLUMNS = [
  'meter_name',
  'event_name',
  'aggregation_type',
  'aggregation_field',
  'aggregation_multiplier',
  'aggregation_bucket_size',
  'reset_usage',
] as const;

/**
 * The FEATURES columns of docs/FORMATS.md §2, in the order an export writes them (after `id`);
 * `metadata.<key>` columns come on top.
 */
export const FEATURE_COLUMNS = [
  'name',
  'type',
  'lookup_key',
  'unit_singular',
  'unit_plural',
  ...METER_COLUMNS,
  'metadata',
] as const;

/** What an import reads: the export's columns plus the meter id a file may bring (issue 13). */
export const FEATURE_IMPORT_COLUMNS = [...FEATURE_COLUMNS, 'meter_id'] as const;

/** The inline meter of a metered feature. */
export interface MeterSpec {
  name: string;
  eventName: string;
  aggregationType: AggregationType;
  aggregationField: string | null;
  aggregationMultiplier: string | null;
  aggregationBucketSize: string | null;
  resetUsage: string;
}

/** One feature row, checked. */
export interface FeatureRecord {
  /** Used only when the feature is new (derived from task and line), like `meterId`. */
  id: string;
  meterId: string;
  /** True when the row brought `meterId` (a meter moved from Flexprice or another environment). */
  meterIdGiven: boolean;
  name: string;
  type: FeatureType;
  lookupKey: string;
  unitSingular: string | null;
  unitPlural: string | null;
  meter: MeterSpec | null;
  metadataSet: Record<string, string>;
  metadataRemove: string[];
  origin: RowOrigin;
}
