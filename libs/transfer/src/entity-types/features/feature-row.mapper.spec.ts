import { RowErrorCode } from '@ferry/contracts';

import { isError, mapRow, TEST_SCOPE } from '../../testing/map-row';
import { type FeatureRecord } from './feature.record';
import { lookupKeyFromName } from './feature-row.mapper';
import { featuresImport } from './features.import';

const METER_BLANKS = {
  meter_name: '',
  event_name: '',
  aggregation_type: '',
  aggregation_field: '',
  aggregation_multiplier: '',
  aggregation_bucket_size: '',
  reset_usage: '',
};
const flag = {
  name: 'SSO',
  type: 'boolean',
  lookup_key: '',
  unit_singular: '',
  unit_plural: '',
  ...METER_BLANKS,
};
const metered = {
  ...flag,
  name: 'API calls',
  type: 'metered',
  meter_name: 'API calls meter',
  event_name: 'api_call',
  aggregation_type: 'SUM',
  aggregation_field: 'tokens',
};

function ok(row: Record<string, string>): FeatureRecord {
  const r = mapRow(featuresImport, row);
  if (isError(r)) throw new Error(`unexpected row error: ${r.message}`);
  return r;
}

describe('FEATURES row mapping', () => {
  it('fails the file without name or type', () => {
    expect(() => featuresImport.compile(['lookup_key'], TEST_SCOPE)).toThrow(
      /lacks the required columns name, type/,
    );
  });

  it('ignores server-assigned columns (meter_id of an export) without listing them', () => {
    expect(
      featuresImport.compile(['id', 'name', 'type', 'meter_id', 'color'], TEST_SCOPE)
        .ignoredColumns,
    ).toEqual(['color']);
  });

  it('maps a boolean feature, generating lookup_key from the name', () => {
    expect(ok({ ...flag, name: 'Single Sign-On (SAML)', 'metadata.team': 'idp' })).toMatchObject({
      type: 'boolean',
      lookupKey: 'single_sign_on_saml',
      meter: null,
      metadataSet: { team: 'idp' },
    });
  });

  it('keeps a given lookup_key', () => {
    expect(ok({ ...flag, lookup_key: 'sso-v2' }).lookupKey).toBe('sso-v2');
  });

  it('maps a metered feature with its inline meter (reset_usage defaults to BILLING_PERIOD)', () => {
    const r = ok({
      ...metered,
      unit_singular: 'call',
      unit_plural: 'calls',
      aggregation_bucket_size: 'HOUR',
    });
    expect(r).toMatchObject({
      lookupKey: 'api_calls',
      unitSingular: 'call',
      unitPlural: 'calls',
      meter: {
        name: 'API calls meter',
        eventName: 'api_call',
        aggregationType: 'SUM',
        aggregationField: 'tokens',
        aggregationBucketSize: 'HOUR',
        resetUsage: 'BILLING_PERIOD',
        aggregationMultiplier: null,
      },
    });
    expect(r.id).toMatch(/^feat_/);
    expect(r.meterId).toMatch(/^meter_/);
  });

  it.each([
    ['COUNT without a field', { aggregation_type: 'COUNT', aggregation_field: '' }],
    [
      'SUM_WITH_MULTIPLIER with 0.5',
      { aggregation_type: 'SUM_WITH_MULTIPLIER', aggregation_multiplier: '0.5' },
    ],
    ['MAX with a bucket', { aggregation_type: 'MAX', aggregation_bucket_size: '15MIN' }],
    ['reset_usage NEVER', { reset_usage: 'NEVER' }],
    ['each aggregation type that needs a field: AVG', { aggregation_type: 'AVG' }],
    ['COUNT_UNIQUE', { aggregation_type: 'COUNT_UNIQUE' }],
    ['LATEST', { aggregation_type: 'LATEST' }],
    ['WEIGHTED_SUM', { aggregation_type: 'WEIGHTED_SUM' }],
  ])('accepts a metered feature with %s', (_name, over) => {
    expect(isError(mapRow(featuresImport, { ...metered, ...over }))).toBe(false);
  });

  it.each([
    ['name blank', { ...flag, name: '' }, RowErrorCode.REQUIRED, /name is required/],
    ['type blank', { ...flag, type: '' }, RowErrorCode.REQUIRED, /type is required/],
    [
      'type unknown',
      { ...flag, type: 'Metered' },
      RowErrorCode.INVALID_VALUE,
      /type "Metered" is not one of metered, boolean, static/,
    ],
    [
      'a name without letters or digits and no lookup_key',
      { ...flag, name: '!!!' },
      RowErrorCode.INVALID_VALUE,
      /lookup_key/,
    ],
    [
      'only unit_singular',
      { ...flag, unit_singular: 'call' },
      RowErrorCode.INVALID_VALUE,
      /both or neither/,
    ],
    [
      'only unit_plural',
      { ...flag, unit_plural: 'calls' },
      RowErrorCode.INVALID_VALUE,
      /both or neither/,
    ],
    [
      'lookup_key of 256',
      { ...flag, lookup_key: 'k'.repeat(256) },
      RowErrorCode.TOO_LONG,
      /lookup_key/,
    ],
    [
      'metered without meter_name',
      { ...metered, meter_name: '' },
      RowErrorCode.REQUIRED,
      /meter_name is required for a metered feature/,
    ],
    [
      'metered without event_name',
      { ...metered, event_name: '' },
      RowErrorCode.REQUIRED,
      /event_name is required/,
    ],
    [
      'metered without aggregation_type',
      { ...metered, aggregation_type: '' },
      RowErrorCode.REQUIRED,
      /aggregation_type is required/,
    ],
    [
      'an unknown aggregation_type',
      { ...metered, aggregation_type: 'MEDIAN' },
      RowErrorCode.INVALID_VALUE,
      /aggregation_type "MEDIAN"/,
    ],
    [
      'SUM without aggregation_field',
      { ...metered, aggregation_field: '' },
      RowErrorCode.REQUIRED,
      /aggregation_field is required for aggregation_type SUM/,
    ],
    [
      'SUM_WITH_MULTIPLIER without multiplier',
      { ...metered, aggregation_type: 'SUM_WITH_MULTIPLIER' },
      RowErrorCode.REQUIRED,
      /aggregation_multiplier is required/,
    ],
    [
      'a multiplier of 0',
      { ...metered, aggregation_type: 'SUM_WITH_MULTIPLIER', aggregation_multiplier: '0.00' },
      RowErrorCode.INVALID_VALUE,
      /greater than 0/,
    ],
    [
      'a multiplier that is not a number',
      { ...metered, aggregation_type: 'SUM_WITH_MULTIPLIER', aggregation_multiplier: 'abc' },
      RowErrorCode.INVALID_VALUE,
      /aggregation_multiplier "abc" is not a decimal/,
    ],
    [
      'a negative multiplier',
      { ...metered, aggregation_type: 'SUM_WITH_MULTIPLIER', aggregation_multiplier: '-2' },
      RowErrorCode.INVALID_VALUE,
      /aggregation_multiplier "-2"/,
    ],
    [
      'an unknown bucket',
      { ...metered, aggregation_bucket_size: '2HOUR' },
      RowErrorCode.INVALID_VALUE,
      /aggregation_bucket_size "2HOUR"/,
    ],
    [
      'an unknown reset_usage',
      { ...metered, reset_usage: 'DAILY' },
      RowErrorCode.INVALID_VALUE,
      /reset_usage "DAILY"/,
    ],
  ])('refuses %s', (_name, row, code, message) => {
    const r = mapRow(featuresImport, row, 4);
    if (!isError(r)) throw new Error('expected a row error');
    expect(r).toMatchObject({ code, row_number: 4 });
    expect(r.message).toMatch(message);
  });

  it.each([
    ['API Calls', 'api_calls'],
    ['  Storage (GB) ', 'storage_gb'],
    ['Zoë', 'zo'],
    ['a'.repeat(300), 'a'.repeat(255)],
  ])('makes lookup_key %s → %s', (name, key) => {
    expect(lookupKeyFromName(name)).toBe(key);
  });

  describe('cells that do not apply, ignored with a warning as Flexprice ignores them', () => {
    const warned = (row: Record<string, string>) => {
      const mapper = featuresImport.compile(Object.keys(row), TEST_SCOPE);
      const rec = mapper.map(Object.values(row), 2);
      return { rec, warnings: mapper.takeWarnings?.() ?? null };
    };

    it.each([
      [
        'meter columns on a boolean feature',
        { ...flag, event_name: 'x', reset_usage: 'NEVER' },
        /event_name, reset_usage ignored: a boolean feature has no meter/,
      ],
      [
        'a multiplier on SUM',
        { ...metered, aggregation_multiplier: '1.0' },
        /aggregation_multiplier ignored/,
      ],
      [
        'a bucket on COUNT',
        { ...metered, aggregation_type: 'COUNT', aggregation_bucket_size: 'DAY' },
        /aggregation_bucket_size ignored/,
      ],
      [
        'a meter_id on a static feature',
        { ...flag, type: 'static', meter_id: 'meter_x' },
        /meter_id ignored/,
      ],
    ])('%s', (_name, row, message) => {
      const { rec, warnings } = warned(row);
      expect(isError(rec)).toBe(false);
      expect(warnings?.join('; ')).toMatch(message);
    });

    it('reads the config type, and keeps the meter_id a metered row brings', () => {
      expect(warned({ ...flag, type: 'config' }).rec).toMatchObject({
        type: 'config',
        meter: null,
      });
      expect(warned({ ...metered, meter_id: 'meter_FROMFLEX' }).rec).toMatchObject({
        meterId: 'meter_FROMFLEX',
        meterIdGiven: true,
      });
      expect(warned(metered).rec).toMatchObject({ meterIdGiven: false });
    });
  });
});
