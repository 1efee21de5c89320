import { BaseRowMapper, type RowOrigin } from '../../common/base-row.mapper';
import { type CellReader } from '../../common/cell.reader';
import { DerivedIds } from '../../common/derived-ids';
import { type EntityColumns, metadataColumnsResolver } from '../../common/entity-columns';
import { invalid, required, show } from '../../common/row-problem';
import { readMetadata } from '../../common/string-map.builder';
import { type ImportScope } from '../../entity-definition';
import {
  BILLING_MODELS,
  BILLING_PERIODS,
  INVOICE_CADENCES,
  PRICE_ENTITY_TYPES,
  PRICE_TYPES,
  PRICE_UNIT_TYPES,
  PRICE_VALUE_COLUMNS,
  type PriceRecord,
  type PriceValues,
  ROUND_MODES,
  TIER_MODES,
} from './price.record';
import { parseTiers } from './price-tiers.parser';
import { pricesExport } from './prices.export';

export const PRICE_REQUIRED_COLUMNS = [
  'currency',
  'entity_type',
  'entity_id',
  'type',
  'billing_period',
  'billing_model',
  'invoice_cadence',
] as const;
/** Flexprice's price template spells the trial `trial_period` (docs/FORMATS.md §2). */
const PRICE_IMPORT_COLUMNS = [...PRICE_VALUE_COLUMNS, 'trial_period'] as const;
type PriceColumn = (typeof PRICE_IMPORT_COLUMNS)[number];
const resolvePriceColumns = metadataColumnsResolver(
  PRICE_IMPORT_COLUMNS,
  PRICE_REQUIRED_COLUMNS,
  pricesExport.columns,
);

export const PRICE_LIMITS = {
  text: 255,
  description: 2000,
  maxCount: 2147483647,
  maxTrialDays: 36500,
} as const;

/** The PRICES rules of docs/FORMATS.md §2, compiled once per header. */
export class PriceRowMapper extends BaseRowMapper<PriceRecord> {
  private readonly ids: DerivedIds;

  private constructor(
    header: readonly string[],
    private readonly columns: EntityColumns<PriceColumn>,
    scope: ImportScope,
  ) {
    super(header, columns.ignored);
    this.ids = new DerivedIds('price', scope.taskId);
  }

  static compile(header: string[], scope: ImportScope): PriceRowMapper {
    return new PriceRowMapper(header.slice(), resolvePriceColumns(header), scope);
  }

  protected read(c: CellReader, origin: RowOrigin): PriceRecord {
    const at = this.columns.index;
    const max = PRICE_LIMITS.text;
    const need = <T>(column: string, value: T | null, why = ''): T => {
      if (value === null) throw required(column, why);
      return value;
    };

    const currencyText = c.requiredText('currency', at.currency, max);
    if (!/^[A-Za-z]{3}$/.test(currencyText))
      throw invalid(`currency ${show(currencyText)} is not a 3-letter currency code such as USD`);
    const entityType = need(
      'entity_type',
      c.oneOf('entity_type', at.entity_type, PRICE_ENTITY_TYPES),
    );
    const entityId = c.requiredText('entity_id', at.entity_id, max);
    const type = need('type', c.oneOf('type', at.type, PRICE_TYPES));
    const billingPeriod = need(
      'billing_period',
      c.oneOf('billing_period', at.billing_period, BILLING_PERIODS),
    );
    const billingPeriodCount =
      c.integer('billing_period_count', at.billing_period_count, 1, PRICE_LIMITS.maxCount) ?? 1;
    const billingModel = need(
      'billing_model',
      c.oneOf('billing_model', at.billing_model, BILLING_MODELS),
    );
    const cadence = need(
      'invoice_cadence',
      c.oneOf('invoice_cadence', at.invoice_cadence, INVOICE_CADENCES),
    );
    if (billingPeriod === 'ONETIME' && cadence !== 'ADVANCE') {
      throw invalid(
        `invoice_cadence ${cadence} is not possible for a ONETIME price: it needs ADVANCE`,
      );
    }

    // CUSTOM price units take their amounts from price_unit_config_amount / _tiers, as in
    // Flexprice; a cell that does not apply to the row's model is ignored with a warning.
    const unitType = c.oneOf('price_unit_type', at.price_unit_type, PRICE_UNIT_TYPES) ?? 'FIAT';
    const custom = unitType === 'CUSTOM';
    let amount = c.decimal('amount', at.amount);
    if (billingModel === 'TIERED') {
      if (amount !== null) {
        this.warn(`amount ignored: a TIERED price takes its amounts from its tiers`);
        amount = null;
      }
    } else if (amount === null && !custom) {
      throw required('amount', ` for a ${billingModel} price`);
    }

    let meterId = c.text('meter_id', at.meter_id, max);
    if (type === 'USAGE' && meterId === null) throw required('meter_id', ' for a USAGE price');
    if (type === 'FIXED' && meterId !== null) {
      this.warn(`meter_id ignored: it applies only to USAGE prices`);
      meterId = null;
    }

    let tierMode = c.oneOf('tier_mode', at.tier_mode, TIER_MODES);
    let tiersText = c.text('tiers', at.tiers, 1 << 20);
    let tiers: string | null = null;
    if (billingModel === 'TIERED') {
      if (tiersText !== null) tiers = parseTiers('tiers', tiersText);
      else if (!custom) throw required('tiers', ' for a TIERED price');
    } else {
      const off = [tiersText !== null && 'tiers', tierMode !== null && 'tier_mode'].filter(Boolean);
      if (off.length > 0)
        this.warn(`${off.join(', ')} ignored: TIERED prices only, not ${billingModel}`);
      tiersText = null;
      tierMode = null;
    }

    let divideBy = c.integer(
      'transform_quantity_divide_by',
      at.transform_quantity_divide_by,
      1,
      PRICE_LIMITS.maxCount,
    );
    let round = c.oneOf('transform_quantity_round', at.transform_quantity_round, ROUND_MODES);
    if (billingModel === 'PACKAGE') {
      need('transform_quantity_divide_by', divideBy, ' for a PACKAGE price');
    } else if (divideBy !== null || round !== null) {
      const off = [divideBy !== null && 'divide_by', round !== null && 'round']
        .filter(Boolean)
        .map((c) => `transform_quantity_${c}`);
      this.warn(`${off.join(', ')} ignored: PACKAGE prices only, not ${billingModel}`);
      divideBy = null;
      round = null;
    }

    const unit = c.text('price_unit_config_price_unit', at.price_unit_config_price_unit, max);
    let unitAmount = c.decimal('price_unit_config_amount', at.price_unit_config_amount);
    const unitTiersText = c.text('price_unit_config_tiers', at.price_unit_config_tiers, 1 << 20);
    let unitTiers =
      unitTiersText === null ? null : parseTiers('price_unit_config_tiers', unitTiersText);
    if (custom) {
      need('price_unit_config_price_unit', unit, ' when price_unit_type is CUSTOM');
      if (billingModel === 'TIERED' && unitTiers === null) {
        throw required('price_unit_config_tiers', ' for a TIERED price in a CUSTOM price unit');
      }
      if (billingModel !== 'TIERED' && unitAmount === null) {
        throw required(
          'price_unit_config_amount',
          ` for a ${billingModel} price in a CUSTOM price unit`,
        );
      }
    } else if (unit !== null || unitAmount !== null || unitTiers !== null) {
      this.warn('price_unit_config_* ignored: they apply only when price_unit_type is CUSTOM');
      unitAmount = null;
      unitTiers = null;
    }

    const daysGiven = !isBlankCell(c, at.trial_period_days);
    const trialColumn = daysGiven ? 'trial_period_days' : 'trial_period';
    const trialDays = c.integer(
      trialColumn,
      daysGiven ? at.trial_period_days : at.trial_period,
      0,
      PRICE_LIMITS.maxTrialDays,
    );
    if (daysGiven && !isBlankCell(c, at.trial_period)) {
      this.warn('trial_period ignored: the row has trial_period_days too');
    }
    if (trialDays !== null && (type !== 'FIXED' || billingPeriod === 'ONETIME')) {
      throw invalid(`${trialColumn} applies only to recurring FIXED prices`);
    }
    const startDate = c.time('start_date', at.start_date);
    const endDate = c.time('end_date', at.end_date);
    if (startDate !== null && endDate !== null && Date.parse(startDate) > Date.parse(endDate)) {
      throw invalid(`start_date ${startDate} is after end_date ${endDate}`);
    }
    const minQuantity = c.decimal('min_quantity', at.min_quantity);
    if (minQuantity !== null && type === 'USAGE')
      throw invalid('min_quantity does not apply to USAGE prices');

    const metadata = readMetadata(c, this.columns);
    const values: PriceValues = {
      currency: currencyText.toUpperCase(),
      entity_type: entityType,
      entity_id: entityId,
      type,
      billing_period: billingPeriod,
      billing_period_count: billingPeriodCount,
      billing_model: billingModel,
      invoice_cadence: cadence,
      amount,
      meter_id: meterId,
      tier_mode: billingModel === 'TIERED' ? (tierMode ?? 'VOLUME') : null,
      tiers,
      transform_quantity_divide_by: divideBy,
      transform_quantity_round: billingModel === 'PACKAGE' ? (round ?? 'up') : null,
      price_unit_type: unitType,
      price_unit_config_price_unit: custom ? unit : null,
      price_unit_config_amount: unitAmount,
      price_unit_config_tiers: unitTiers,
      trial_period_days: trialDays,
      start_date: startDate,
      end_date: endDate,
      min_quantity: minQuantity,
      lookup_key: c.text('lookup_key', at.lookup_key, max),
      display_name: c.text('display_name', at.display_name, max),
      description: c.text('description', at.description, PRICE_LIMITS.description),
      group_id: c.text('group_id', at.group_id, max),
      metadata: JSON.stringify(metadata.set),
    };
    return { id: this.ids.forLine(origin.line), values, origin };
  }
}

function isBlankCell(c: CellReader, index: number): boolean {
  const v = c.raw(index);
  return v === null || v === '';
}
