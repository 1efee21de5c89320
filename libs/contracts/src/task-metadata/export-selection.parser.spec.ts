import { EntityType } from '../enums';
import { ErrorCode } from '../error-codes';
import { FerryError } from '../ferry.error';
import { EXPORT_FILTER_KEYS, parseExportSelection } from './export-selection.parser';

const events = { entity: EntityType.EVENTS };

function refusal(metadata: Record<string, unknown>, entity = EntityType.EVENTS): FerryError {
  try {
    parseExportSelection(metadata, { entity });
  } catch (e) {
    if (e instanceof FerryError) return e;
    throw e;
  }
  throw new Error(`${JSON.stringify(metadata)} was accepted`);
}

describe('parseExportSelection', () => {
  it('selects nothing by default and writes plain files', () => {
    expect(parseExportSelection({}, events)).toEqual({
      startTime: null,
      endTime: null,
      filters: [],
      gzip: false,
    });
    expect(
      parseExportSelection(
        { start_time: '', end_time: null, event_name: '', compression: 'none' },
        events,
      ),
    ).toEqual({ startTime: null, endTime: null, filters: [], gzip: false });
  });

  it('reads the time window, the filters by key and gzip, and ignores keys that are not options', () => {
    expect(
      parseExportSelection(
        {
          start_time: '2024-01-01T00:00:00+02:00',
          end_time: '2024-02-01T00:00:00Z',
          external_customer_id: 'cust_1',
          event_name: 'api_call',
          compression: 'gzip',
          source: 'crm',
        },
        events,
      ),
    ).toEqual({
      startTime: '2024-01-01T00:00:00+02:00',
      endTime: '2024-02-01T00:00:00Z',
      filters: [
        ['event_name', 'api_call'],
        ['external_customer_id', 'cust_1'],
      ],
      gzip: true,
    });
  });

  it('takes a window of one instant (start = end)', () => {
    const t = '2024-01-01T00:00:00Z';
    expect(parseExportSelection({ start_time: t, end_time: t }, events).startTime).toBe(t);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'a start_time that is not RFC 3339',
      { start_time: 'yesterday' },
      'metadata.start_time',
      'metadata.start_time "yesterday" is not an RFC 3339 time such as 2024-01-31T12:00:00Z',
    ],
    [
      'an end_time without a zone',
      { end_time: '2024-01-01T00:00:00' },
      'metadata.end_time',
      'metadata.end_time "2024-01-01T00:00:00" has no time zone; add Z or an offset such as +02:00',
    ],
    [
      'a day that does not exist',
      { start_time: '2024-02-30T00:00:00Z' },
      'metadata.start_time',
      'metadata.start_time "2024-02-30T00:00:00Z" is not a real date and time',
    ],
    [
      'a start_time that is a number',
      { start_time: 1704067200 },
      'metadata.start_time',
      'metadata.start_time must be an RFC 3339 string, not 1704067200',
    ],
    [
      'a start after the end',
      { start_time: '2024-02-01T00:00:00Z', end_time: '2024-01-01T00:00:00Z' },
      'metadata.start_time',
      'metadata.start_time "2024-02-01T00:00:00Z" must not be after metadata.end_time "2024-01-01T00:00:00Z"',
    ],
    [
      'an unknown compression',
      { compression: 'zip' },
      'metadata.compression',
      'metadata.compression "zip" is not supported; use "gzip" or leave it out',
    ],
    [
      'a filter that is not a string',
      { event_name: ['a', 'b'] },
      'metadata.event_name',
      'metadata.event_name must be a string, not ["a","b"]',
    ],
  ])('refuses %s, naming the key and the value', (_name, metadata, field, message) => {
    const err = refusal(metadata);
    expect(err.code).toBe(ErrorCode.VALIDATION);
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(message);
    expect(err.details).toEqual({ fields: { [field]: [message] } });
  });

  it('cuts a long value short in the sentence', () => {
    const err = refusal({ compression: 'z'.repeat(1000) });
    expect(err.message.length).toBeLessThan(150);
    expect(err.message).toContain('…');
  });

  it.each<[EntityType, string]>([
    [EntityType.PRICES, 'event_name'],
    [EntityType.PRICES, 'external_customer_id'],
    [EntityType.CUSTOMERS, 'event_name'],
    [EntityType.FEATURES, 'external_customer_id'],
  ])('refuses on %s the filter %s, which that type does not take', (entity, key) => {
    expect(refusal({ [key]: 'x' }, entity).message).toBe(
      `metadata.${key} does not apply to an export of ${entity}`,
    );
  });

  it('takes on each entity type exactly the filters of EXPORT_FILTER_KEYS', () => {
    for (const entity of Object.values(EntityType)) {
      for (const key of EXPORT_FILTER_KEYS[entity] ?? []) {
        expect(parseExportSelection({ [key]: 'v' }, { entity }).filters).toEqual([[key, 'v']]);
      }
    }
  });
});
