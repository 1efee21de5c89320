import { BaseRowMapper, type RowOrigin } from '../../common/base-row.mapper';
import { type CellReader } from '../../common/cell.reader';
import { DerivedIds } from '../../common/derived-ids';
import { type EntityColumns, metadataColumnsResolver } from '../../common/entity-columns';
import { invalid, required, show } from '../../common/row-problem';
import { readMetadata } from '../../common/string-map.builder';
import { type ImportScope } from '../../entity-definition';
import {
  AGGREGATION_TYPES,
  BUCKET_SIZES,
  FEATURE_IMPORT_COLUMNS,
  FEATURE_TYPES,
  type FeatureRecord,
  METER_COLUMNS,
  type MeterSpec,
  RESET_USAGE,
} from './feature.record';
import { featuresExport } from './features.export';

export const FEATURE_REQUIRED_COLUMNS = ['name', 'type'] as const;
type FeatureColumn = (typeof FEATURE_IMPORT_COLUMNS)[number];
const resolveFeatureColumns = metadataColumnsResolver(
  FEATURE_IMPORT_COLUMNS,
  FEATURE_REQUIRED_COLUMNS,
  featuresExport.columns,
);

export const FEATURE_LIMITS = { text: 255 } as const;

/** A lookup key from a name: `API Calls (v2)` → `api_calls_v2`. */
export function lookupKeyFromName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, FEATURE_LIMITS.text);
}

/** The FEATURES rules of docs/FORMATS.md §2 (with the inline meter of a metered feature), compiled once per header. */
export class FeatureRowMapper extends BaseRowMapper<FeatureRecord> {
  private readonly featureIds: DerivedIds;
  private readonly meterIds: DerivedIds;

  private constructor(
    header: readonly string[],
    private readonly columns: EntityColumns<FeatureColumn>,
    scope: ImportScope,
  ) {
    super(header, columns.ignored);
    this.featureIds = new DerivedIds('feat', scope.taskId);
    this.meterIds = new DerivedIds('meter', scope.taskId);
  }

  static compile(header: string[], scope: ImportScope): FeatureRowMapper {
    return new FeatureRowMapper(header.slice(), resolveFeatureColumns(header), scope);
  }

  protected read(c: CellReader, origin: RowOrigin): FeatureRecord {
    const at = this.columns.index;
    const max = FEATURE_LIMITS.text;
    const name = c.requiredText('name', at.name, max);
    const type = c.oneOf('type', at.type, FEATURE_TYPES);
    if (type === null) throw required('type', ` (one of ${FEATURE_TYPES.join(', ')})`);
    let lookupKey = c.text('lookup_key', at.lookup_key, max);
    if (lookupKey === null) {
      lookupKey = lookupKeyFromName(name);
      if (lookupKey === '') {
        throw invalid(
          `name ${show(name)} has no letters or digits to make a lookup_key from; give a lookup_key`,
        );
      }
    }
    const unitSingular = c.text('unit_singular', at.unit_singular, max);
    const unitPlural = c.text('unit_plural', at.unit_plural, max);
    if ((unitSingular === null) !== (unitPlural === null)) {
      throw invalid(
        `unit_singular and unit_plural go together: give both or neither (got ${unitSingular === null ? 'only unit_plural' : 'only unit_singular'})`,
      );
    }
    const meter = type === 'metered' ? this.meter(c) : this.noMeter(c, type);
    const givenMeterId = c.text('meter_id', at.meter_id, max);
    if (givenMeterId !== null && meter === null) {
      this.warn(`meter_id ignored: a ${type} feature has no meter`);
    }
    const metadata = readMetadata(c, this.columns);
    return {
      id: this.featureIds.forLine(origin.line),
      meterId: (meter && givenMeterId) ?? this.meterIds.forLine(origin.line),
      meterIdGiven: meter !== null && givenMeterId !== null,
      name,
      type,
      lookupKey,
      unitSingular,
      unitPlural,
      meter,
      metadataSet: metadata.set,
      metadataRemove: metadata.remove,
      origin,
    };
  }

  private meter(c: CellReader): MeterSpec {
    const at = this.columns.index;
    const max = FEATURE_LIMITS.text;
    const why = ' for a metered feature';
    const name = c.text('meter_name', at.meter_name, max);
    if (name === null) throw required('meter_name', why);
    const eventName = c.text('event_name', at.event_name, max);
    if (eventName === null) throw required('event_name', why);
    const aggregationType = c.oneOf('aggregation_type', at.aggregation_type, AGGREGATION_TYPES);
    if (aggregationType === null) throw required('aggregation_type', why);
    const aggregationField = c.text('aggregation_field', at.aggregation_field, max);
    if (aggregationField === null && aggregationType !== 'COUNT') {
      throw required(
        'aggregation_field',
        ` for aggregation_type ${aggregationType} (only COUNT needs none)`,
      );
    }
    const multiplier = c.decimal('aggregation_multiplier', at.aggregation_multiplier);
    if (aggregationType === 'SUM_WITH_MULTIPLIER') {
      if (multiplier === null) throw required('aggregation_multiplier', ' for SUM_WITH_MULTIPLIER');
      if (!/[1-9]/.test(multiplier))
        throw invalid(`aggregation_multiplier ${show(multiplier)} must be greater than 0`);
    } else if (multiplier !== null) {
      // Flexprice ignores it off SUM_WITH_MULTIPLIER (docs/FORMATS.md §2): so does Ferry, saying so.
      this.warn(
        `aggregation_multiplier ignored: it applies only to SUM_WITH_MULTIPLIER, not ${aggregationType}`,
      );
    }
    let bucket = c.oneOf('aggregation_bucket_size', at.aggregation_bucket_size, BUCKET_SIZES);
    if (bucket !== null && aggregationType !== 'MAX' && aggregationType !== 'SUM') {
      this.warn(
        `aggregation_bucket_size ignored: it applies only to MAX or SUM, not ${aggregationType}`,
      );
      bucket = null;
    }
    const resetUsage = c.oneOf('reset_usage', at.reset_usage, RESET_USAGE) ?? 'BILLING_PERIOD';
    return {
      name,
      eventName,
      aggregationType,
      aggregationField,
      aggregationMultiplier: aggregationType === 'SUM_WITH_MULTIPLIER' ? multiplier : null,
      aggregationBucketSize: bucket,
      resetUsage,
    };
  }

  /**
   * A boolean, static or config feature has no meter. Flexprice ignores meter cells on such a
   * row (docs/FORMATS.md §2); Ferry ignores them too, but never silently: one warning names them.
   */
  private noMeter(c: CellReader, type: string): null {
    const filled = METER_COLUMNS.filter((column) => {
      const v = c.raw(this.columns.index[column]);
      return v !== null && v !== '';
    });
    if (filled.length > 0) {
      this.warn(`${filled.join(', ')} ignored: a ${type} feature has no meter`);
    }
    return null;
  }
}
