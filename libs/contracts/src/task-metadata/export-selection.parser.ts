import { EntityType } from '../enums';
import { checkRfc3339, describeTimestampProblem, TimestampProblem } from '../rfc3339.parser';
import { refuseMetadata, shown } from './metadata-refusal';

/** The equality filters of docs/FORMATS.md §3. */
export type ExportFilterKey = 'event_name' | 'external_customer_id';

/**
 * The one list of which filter an export of each entity type takes (docs/FORMATS.md §3); a type
 * without an entry takes none. The gateway refuses any other at once; the exporter maps each to
 * its column (`filters` of the entity folder's export definition, which libs/transfer's registries.spec.ts pins to this table).
 */
export const EXPORT_FILTER_KEYS: Readonly<Partial<Record<EntityType, readonly ExportFilterKey[]>>> =
  {
    [EntityType.EVENTS]: ['event_name', 'external_customer_id'],
    [EntityType.CUSTOMERS]: ['external_customer_id'],
    [EntityType.FEATURES]: ['event_name'],
    [EntityType.PRICES]: [],
  };

/** Every filter key some entity type takes: one of them on another type is refused, not ignored. */
const ALL_FILTER_KEYS: readonly ExportFilterKey[] = ['event_name', 'external_customer_id'];

/** The rows an export selects and how its file is written (docs/FORMATS.md §3). */
export interface ExportSelection {
  /** Inclusive lower bound on the entity's time column, RFC 3339. */
  startTime: string | null;
  /** Exclusive upper bound, RFC 3339. */
  endTime: string | null;
  /** Equality filters: selection key and value (the exporter knows each key's column). */
  filters: Array<[ExportFilterKey, string]>;
  gzip: boolean;
}

/**
 * Reads the selection out of an export's `metadata`. A bad value throws a validation FerryError
 * whose sentence names the key and the value: the gateway answers it as a 400, a worker (which runs
 * the same function) fails the task with it. `of` is the export, or anything that names its type.
 */
export function parseExportSelection(
  metadata: Readonly<Record<string, unknown>>,
  of: { readonly entity: EntityType },
): ExportSelection {
  const time = (key: 'start_time' | 'end_time'): string | null => {
    const v = metadata[key];
    if (v === undefined || v === null || v === '') return null;
    if (typeof v !== 'string') {
      refuseMetadata(key, `metadata.${key} must be an RFC 3339 string, not ${shown(v)}`);
    }
    const problem = checkRfc3339(v);
    if (problem !== TimestampProblem.None) {
      refuseMetadata(key, `metadata.${describeTimestampProblem(key, v, problem)}`);
    }
    return v;
  };
  const startTime = time('start_time');
  const endTime = time('end_time');
  if (startTime && endTime && Date.parse(startTime) > Date.parse(endTime)) {
    refuseMetadata(
      'start_time',
      `metadata.start_time ${shown(startTime)} must not be after metadata.end_time ${shown(endTime)}`,
    );
  }
  const supported = EXPORT_FILTER_KEYS[of.entity] ?? [];
  const filters: Array<[ExportFilterKey, string]> = [];
  for (const key of ALL_FILTER_KEYS) {
    const v = metadata[key];
    if (v === undefined || v === null || v === '') continue;
    if (!supported.includes(key)) {
      refuseMetadata(key, `metadata.${key} does not apply to an export of ${of.entity}`);
    }
    if (typeof v !== 'string') {
      refuseMetadata(key, `metadata.${key} must be a string, not ${shown(v)}`);
    }
    filters.push([key, v]);
  }
  const compression = metadata['compression'];
  if (
    compression !== undefined &&
    compression !== null &&
    compression !== 'gzip' &&
    compression !== 'none'
  ) {
    refuseMetadata(
      'compression',
      `metadata.compression ${shown(compression)} is not supported; use "gzip" or leave it out`,
    );
  }
  return { startTime, endTime, filters, gzip: compression === 'gzip' };
}
