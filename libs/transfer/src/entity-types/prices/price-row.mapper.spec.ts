import { RowErrorCode } from '@ferry/contracts';

import { isError, mapRow, TEST_SCOPE } from '../../testing/map-row';
import { type PriceRecord } from './price.record';
import { pricesImport } from './prices.import';

const BLANKS = {
  billing_period_count: '',
  amount: '',
  meter_id: '',
  tier_mode: '',
  tiers: '',
  transform_quantity_divide_by: '',
  transform_quantity_round: '',
  price_unit_type: '',
  price_unit_config_price_unit: '',
  price_unit_config_amount: '',
  price_unit_config_tiers: '',
  trial_period_days: '',
  start_date: '',
  end_date: '',
  min_quantity: '',
  lookup_key: '',
  metadata: '',
};
const fixed = {
  currency: 'usd',
  entity_type: 'PLAN',
  entity_id: 'plan_1',
  type: 'FIXED',
  billing_period: 'MONTHLY',
  billing_model: 'FLAT_FEE',
  invoice_cadence: 'ADVANCE',
  ...BLANKS,
  amount: '49.00',
};
const usage = {
  ...fixed,
  type: 'USAGE',
  invoice_cadence: 'ARREAR',
  meter_id: 'meter_1',
  amount: '0.002',
};
const tiered = {
  ...usage,
  billing_model: 'TIERED',
  amount: '',
  tiers: '[{"up_to":1000,"unit_amount":"0.01"},{"unit_amount":"0.005","flat_amount":"10"}]',
};
const pkg = {
  ...usage,
  billing_model: 'PACKAGE',
  amount: '5',
  transform_quantity_divide_by: '1000',
};

function ok(row: Record<string, string>): PriceRecord {
  const r = mapRow(pricesImport, row);
  if (isError(r)) throw new Error(`unexpected row error: ${r.message}`);
  return r;
}

describe('PRICES row mapping', () => {
  it('fails the file naming every missing required column', () => {
    expect(() => pricesImport.compile(['currency', 'amount'], TEST_SCOPE)).toThrow(
      /lacks the required columns entity_type, entity_id, type, billing_period, billing_model, invoice_cadence/,
    );
  });

  it('maps a FIXED flat fee (currency upper-cased, count defaulting to 1)', () => {
    const r = ok({ ...fixed, 'metadata.source': 'crm' });
    expect(r.values).toMatchObject({
      currency: 'USD',
      amount: '49.00',
      billing_period_count: 1,
      price_unit_type: 'FIAT',
      tier_mode: null,
      metadata: '{"source":"crm"}',
    });
    expect(r.id).toMatch(/^price_[0-9A-Z]{26}$/);
  });

  it('maps a TIERED price (tier_mode VOLUME by default, tiers normalised)', () => {
    expect(ok(tiered).values).toMatchObject({
      tier_mode: 'VOLUME',
      tiers:
        '[{"up_to":1000,"unit_amount":"0.01","flat_amount":null},{"up_to":null,"unit_amount":"0.005","flat_amount":"10"}]',
    });
  });

  it('maps a PACKAGE price (round up by default)', () => {
    expect(ok(pkg).values).toMatchObject({
      transform_quantity_divide_by: 1000,
      transform_quantity_round: 'up',
    });
  });

  it.each([
    ['billing_period_count 1', { ...fixed, billing_period_count: '1' }],
    ['billing_period_count 12', { ...fixed, billing_period_count: '12' }],
    ['amount 0', { ...fixed, amount: '0' }],
    ['amount with 12 decimals', { ...fixed, amount: '0.000000000001' }],
    ['ONETIME in ADVANCE', { ...fixed, billing_period: 'ONETIME' }],
    ['a trial on a recurring FIXED price', { ...fixed, trial_period_days: '14' }],
    [
      'start_date equal to end_date',
      { ...fixed, start_date: '2026-01-01T00:00:00Z', end_date: '2026-01-01T00:00:00Z' },
    ],
    ['min_quantity on FIXED', { ...fixed, min_quantity: '1' }],
    [
      'a CUSTOM price unit',
      {
        ...fixed,
        price_unit_type: 'CUSTOM',
        price_unit_config_price_unit: 'BTC',
        price_unit_config_amount: '0.0001',
      },
    ],
    ['SLAB tiers', { ...tiered, tier_mode: 'SLAB' }],
    [
      'tiers with numbers',
      { ...tiered, tiers: '[{"up_to":10,"unit_amount":1.5},{"up_to":null,"unit_amount":1}]' },
    ],
    ['round down', { ...pkg, transform_quantity_round: 'down' }],
    ['every entity_type: SUBSCRIPTION', { ...fixed, entity_type: 'SUBSCRIPTION' }],
    ['COSTSHEET', { ...fixed, entity_type: 'COSTSHEET' }],
  ])('accepts %s', (_name, row) => {
    ok(row);
  });

  it.each([
    [
      'amount=abc',
      { ...fixed, amount: 'abc' },
      RowErrorCode.INVALID_VALUE,
      /amount "abc" is not a decimal number/,
    ],
    [
      'amount with a comma',
      { ...fixed, amount: '1,5' },
      RowErrorCode.INVALID_VALUE,
      /amount "1,5"/,
    ],
    ['a negative amount', { ...fixed, amount: '-1' }, RowErrorCode.INVALID_VALUE, /amount "-1"/],
    [
      'amount with 13 decimals',
      { ...fixed, amount: '0.0000000000001' },
      RowErrorCode.INVALID_VALUE,
      /amount/,
    ],
    [
      'FLAT_FEE without amount',
      { ...fixed, amount: '' },
      RowErrorCode.REQUIRED,
      /amount is required for a FLAT_FEE price/,
    ],
    [
      'PACKAGE without amount',
      { ...pkg, amount: '' },
      RowErrorCode.REQUIRED,
      /amount is required for a PACKAGE price/,
    ],
    [
      'currency of 2 letters',
      { ...fixed, currency: 'US' },
      RowErrorCode.INVALID_VALUE,
      /currency "US" is not a 3-letter/,
    ],
    [
      'currency with a digit',
      { ...fixed, currency: 'US1' },
      RowErrorCode.INVALID_VALUE,
      /currency/,
    ],
    ['currency blank', { ...fixed, currency: '' }, RowErrorCode.REQUIRED, /currency is required/],
    [
      'an unknown entity_type',
      { ...fixed, entity_type: 'CUSTOMER' },
      RowErrorCode.INVALID_VALUE,
      /entity_type "CUSTOMER" is not one of/,
    ],
    [
      'entity_id blank',
      { ...fixed, entity_id: '' },
      RowErrorCode.REQUIRED,
      /entity_id is required/,
    ],
    [
      'an unknown type',
      { ...fixed, type: 'RECURRING' },
      RowErrorCode.INVALID_VALUE,
      /type "RECURRING"/,
    ],
    [
      'an unknown billing_period',
      { ...fixed, billing_period: 'YEARLY' },
      RowErrorCode.INVALID_VALUE,
      /billing_period "YEARLY"/,
    ],
    [
      'billing_period_count 0',
      { ...fixed, billing_period_count: '0' },
      RowErrorCode.INVALID_VALUE,
      /billing_period_count "0" must be between 1/,
    ],
    [
      'billing_period_count 1.5',
      { ...fixed, billing_period_count: '1.5' },
      RowErrorCode.INVALID_VALUE,
      /billing_period_count "1.5" is not a whole number/,
    ],
    [
      'billing_period_count abc',
      { ...fixed, billing_period_count: 'abc' },
      RowErrorCode.INVALID_VALUE,
      /billing_period_count "abc"/,
    ],
    [
      'an unknown billing_model',
      { ...fixed, billing_model: 'VOLUME' },
      RowErrorCode.INVALID_VALUE,
      /billing_model "VOLUME"/,
    ],
    [
      'an unknown invoice_cadence',
      { ...fixed, invoice_cadence: 'LATER' },
      RowErrorCode.INVALID_VALUE,
      /invoice_cadence "LATER"/,
    ],
    [
      'ONETIME in ARREAR',
      { ...fixed, billing_period: 'ONETIME', invoice_cadence: 'ARREAR' },
      RowErrorCode.INVALID_VALUE,
      /ONETIME price: it needs ADVANCE/,
    ],
    [
      'USAGE without meter_id',
      { ...usage, meter_id: '' },
      RowErrorCode.REQUIRED,
      /meter_id is required for a USAGE price/,
    ],
    [
      'TIERED without tiers',
      { ...tiered, tiers: '' },
      RowErrorCode.REQUIRED,
      /tiers is required for a TIERED price/,
    ],
    [
      'tiers not JSON',
      { ...tiered, tiers: '[{' },
      RowErrorCode.INVALID_VALUE,
      /tiers "\[\{" is not valid JSON/,
    ],
    [
      'tiers an object',
      { ...tiered, tiers: '{}' },
      RowErrorCode.INVALID_VALUE,
      /non-empty JSON array/,
    ],
    ['tiers empty', { ...tiered, tiers: '[]' }, RowErrorCode.INVALID_VALUE, /non-empty JSON array/],
    [
      'a tier without unit_amount',
      { ...tiered, tiers: '[{"up_to":null}]' },
      RowErrorCode.INVALID_VALUE,
      /tiers\[0\].unit_amount is required/,
    ],
    [
      'a tier amount abc',
      { ...tiered, tiers: '[{"unit_amount":"abc"}]' },
      RowErrorCode.INVALID_VALUE,
      /tiers\[0\].unit_amount "abc"/,
    ],
    [
      'up_to falling',
      {
        ...tiered,
        tiers: '[{"up_to":10,"unit_amount":"1"},{"up_to":5,"unit_amount":"1"},{"unit_amount":"1"}]',
      },
      RowErrorCode.INVALID_VALUE,
      /tiers\[1\].up_to 5 must be greater/,
    ],
    [
      'an open tier before the last',
      { ...tiered, tiers: '[{"unit_amount":"1"},{"up_to":5,"unit_amount":"1"}]' },
      RowErrorCode.INVALID_VALUE,
      /only the last tier may be open-ended/,
    ],
    [
      'up_to 0',
      { ...tiered, tiers: '[{"up_to":0,"unit_amount":"1"}]' },
      RowErrorCode.INVALID_VALUE,
      /up_to "0" is not a whole number of at least 1/,
    ],
    [
      'an unknown tier_mode',
      { ...tiered, tier_mode: 'STAIRS' },
      RowErrorCode.INVALID_VALUE,
      /tier_mode "STAIRS"/,
    ],
    [
      'PACKAGE without divide_by',
      { ...pkg, transform_quantity_divide_by: '' },
      RowErrorCode.REQUIRED,
      /transform_quantity_divide_by is required for a PACKAGE/,
    ],
    [
      'divide_by 0',
      { ...pkg, transform_quantity_divide_by: '0' },
      RowErrorCode.INVALID_VALUE,
      /transform_quantity_divide_by "0"/,
    ],
    [
      'round sideways',
      { ...pkg, transform_quantity_round: 'nearest' },
      RowErrorCode.INVALID_VALUE,
      /transform_quantity_round "nearest" is not one of up, down/,
    ],
    [
      'an unknown price_unit_type',
      { ...fixed, price_unit_type: 'CRYPTO' },
      RowErrorCode.INVALID_VALUE,
      /price_unit_type "CRYPTO"/,
    ],
    [
      'CUSTOM without a unit',
      { ...fixed, price_unit_type: 'CUSTOM', price_unit_config_amount: '1' },
      RowErrorCode.REQUIRED,
      /price_unit_config_price_unit is required/,
    ],
    [
      'CUSTOM without price_unit_config_amount',
      { ...fixed, price_unit_type: 'CUSTOM', price_unit_config_price_unit: 'BTC' },
      RowErrorCode.REQUIRED,
      /price_unit_config_amount is required/,
    ],
    [
      'price_unit_config_amount abc',
      {
        ...fixed,
        price_unit_type: 'CUSTOM',
        price_unit_config_price_unit: 'BTC',
        price_unit_config_amount: 'abc',
      },
      RowErrorCode.INVALID_VALUE,
      /price_unit_config_amount "abc"/,
    ],
    [
      'a trial on USAGE',
      { ...usage, trial_period_days: '7' },
      RowErrorCode.INVALID_VALUE,
      /recurring FIXED/,
    ],
    [
      'a trial on ONETIME',
      { ...fixed, billing_period: 'ONETIME', trial_period_days: '7' },
      RowErrorCode.INVALID_VALUE,
      /recurring FIXED/,
    ],
    [
      'trial_period_days -1',
      { ...fixed, trial_period_days: '-1' },
      RowErrorCode.INVALID_VALUE,
      /trial_period_days "-1"/,
    ],
    [
      'trial_period_days abc',
      { ...fixed, trial_period_days: 'abc' },
      RowErrorCode.INVALID_VALUE,
      /trial_period_days "abc"/,
    ],
    [
      'start_date not a date',
      { ...fixed, start_date: 'soon' },
      RowErrorCode.INVALID_VALUE,
      /start_date "soon" is not an RFC 3339/,
    ],
    [
      'end_date without zone',
      { ...fixed, end_date: '2026-01-01T00:00:00' },
      RowErrorCode.INVALID_VALUE,
      /end_date .* has no time zone/,
    ],
    [
      'end_date impossible',
      { ...fixed, end_date: '2026-02-30T00:00:00Z' },
      RowErrorCode.INVALID_VALUE,
      /not a real date/,
    ],
    [
      'start after end',
      { ...fixed, start_date: '2026-02-01T00:00:00Z', end_date: '2026-01-01T00:00:00Z' },
      RowErrorCode.INVALID_VALUE,
      /start_date .* is after end_date/,
    ],
    [
      'min_quantity on USAGE',
      { ...usage, min_quantity: '1' },
      RowErrorCode.INVALID_VALUE,
      /min_quantity does not apply to USAGE/,
    ],
    [
      'min_quantity abc',
      { ...fixed, min_quantity: 'abc' },
      RowErrorCode.INVALID_VALUE,
      /min_quantity "abc"/,
    ],
    [
      'lookup_key of 256',
      { ...fixed, lookup_key: 'k'.repeat(256) },
      RowErrorCode.TOO_LONG,
      /lookup_key is 256/,
    ],
    [
      'metadata not an object',
      { ...fixed, metadata: '"x"' },
      RowErrorCode.INVALID_VALUE,
      /metadata must be a JSON object/,
    ],
  ])('refuses %s', (_name, row, code, message) => {
    const r = mapRow(pricesImport, row, 9);
    if (!isError(r)) throw new Error('expected a row error');
    expect(r.message).toMatch(message);
    expect(r).toMatchObject({ code, row_number: 9 });
  });

  describe('as Flexprice reads prices', () => {
    const warned = (row: Record<string, string>) => {
      const mapper = pricesImport.compile(Object.keys(row), TEST_SCOPE);
      const rec = mapper.map(Object.values(row), 2);
      return { rec, warnings: mapper.takeWarnings?.()?.join('; ') ?? null };
    };

    it.each([
      ['a meter_id on FIXED', { ...fixed, meter_id: 'meter_1' }, /meter_id ignored/, 'meter_id'],
      ['an amount on TIERED', { ...tiered, amount: '1' }, /amount ignored/, 'amount'],
      [
        'tiers and tier_mode on FLAT_FEE',
        { ...fixed, tiers: '[{"unit_amount":"1"}]', tier_mode: 'SLAB' },
        /tiers, tier_mode ignored/,
        'tiers',
      ],
      [
        'divide_by on FLAT_FEE',
        { ...fixed, transform_quantity_divide_by: '10' },
        /transform_quantity_divide_by ignored/,
        'transform_quantity_divide_by',
      ],
      [
        'a unit config on FIAT',
        { ...fixed, price_unit_config_amount: '1' },
        /price_unit_config_\* ignored/,
        'price_unit_config_amount',
      ],
    ])('ignores %s with a warning', (_name, row, message, column) => {
      const { rec, warnings } = warned(row);
      expect(isError(rec)).toBe(false);
      expect(warnings).toMatch(message);
      expect((rec as PriceRecord).values[column as keyof PriceRecord['values']]).toBeNull();
    });

    it('reads trial_period as trial_period_days, the decimal forms Go reads, and date-only dates', () => {
      const { rec, warnings } = warned({
        ...fixed,
        amount: '.5',
        min_quantity: '1e3',
        trial_period: '14',
        start_date: '2024-01-31',
      });
      expect(warnings).toBeNull();
      expect((rec as PriceRecord).values).toMatchObject({
        amount: '0.5',
        min_quantity: '1000',
        trial_period_days: 14,
        start_date: '2024-01-31T00:00:00Z',
      });
      expect((warned({ ...fixed, amount: '+5' }).rec as PriceRecord).values.amount).toBe('5');
      expect((warned({ ...fixed, amount: '1.5e-1' }).rec as PriceRecord).values.amount).toBe(
        '0.15',
      );
    });

    it('takes a CUSTOM price unit amount in place of amount', () => {
      const row = {
        ...fixed,
        amount: '',
        price_unit_type: 'CUSTOM',
        price_unit_config_price_unit: 'BTC',
        price_unit_config_amount: '2',
      };
      const { rec } = warned(row);
      expect(isError(rec)).toBe(false);
      expect((rec as PriceRecord).values).toMatchObject({
        amount: null,
        price_unit_config_amount: '2',
      });
    });
  });
});
