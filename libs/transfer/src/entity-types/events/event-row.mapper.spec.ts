import { derivedId, FerryError, idTime, type RowError, RowErrorCode } from '@ferry/contracts';

import { type ImportScope } from '../../entity-definition';
import {
  dryEventFields,
  dryRecordKeyText,
  type EventFields,
  eventFields,
  type EventRecord,
  recordLine,
} from './event.record';
import { eventsImport } from './events.import';

const scope: ImportScope = {
  tenantId: 'tenant_1',
  environmentId: 'env_1',
  taskId: 'task_01HZX3K5V7R8Y9Z0ABCDEFGHJK',
  importTime: new Date('2025-03-04T05:06:07.000Z'),
};

/** Maps one row given as column → cell, with the header in the object's key order. */
function mapRow(row: Record<string, string>, line = 2): EventRecord | RowError {
  const header = Object.keys(row);
  return eventsImport.compile(header, scope).map(Object.values(row), line);
}

function record(row: Record<string, string>, line = 2): EventFields {
  const result = mapRow(row, line);
  if (typeof result !== 'string') throw new Error(`unexpected row error: ${result.message}`);
  return eventFields(result);
}

function rowError(row: Record<string, string>, line = 2): RowError {
  const result = mapRow(row, line);
  if (typeof result === 'string') throw new Error('expected a row error');
  return result;
}

const base = { event_name: 'api_call', external_customer_id: 'cust-1' };

describe('eventsImport.compile', () => {
  it('names every missing required column', () => {
    expect(() => eventsImport.compile(['timestamp', 'source'], scope)).toThrow(
      /lacks the required columns event_name, external_customer_id/,
    );
    try {
      eventsImport.compile(['event_name'], scope);
    } catch (err) {
      expect(err).toBeInstanceOf(FerryError);
      expect((err as FerryError).retryable).toBe(false);
      expect((err as FerryError).details).toEqual({ missing_columns: ['external_customer_id'] });
    }
  });

  it('refuses a known column given twice', () => {
    expect(() =>
      eventsImport.compile(['event_name', 'external_customer_id', 'event_name'], scope),
    ).toThrow(/event_name appears more than once/);
  });

  it('lists the columns it ignores', () => {
    const mapper = eventsImport.compile(
      ['id', 'event_name', 'external_customer_id', 'created_at', 'properties.x', ''],
      scope,
    );
    expect(mapper.ignoredColumns).toEqual(['id', 'created_at']);
  });
});

describe('eventsImport map', () => {
  it('maps a full valid row', () => {
    expect(
      record({
        event_id: 'evt-1',
        ...base,
        customer_id: 'cust_01',
        timestamp: '2024-01-31T12:00:00.250+02:00',
        source: 'sdk',
        'properties.region': 'eu',
      }),
    ).toMatchObject({
      id: 'evt-1',
      eventName: 'api_call',
      externalCustomerId: 'cust-1',
      customerId: 'cust_01',
      timestamp: '2024-01-31T12:00:00.250+02:00',
      source: 'sdk',
      properties: '{"region":"eu"}',
    });
  });

  it('fills the optional fields when blank or absent', () => {
    const r = record({ ...base, customer_id: '', source: '  ', timestamp: '' }, 7);
    expect(r).toMatchObject({
      customerId: null,
      source: null,
      timestamp: '2025-03-04T05:06:07.000Z',
      properties: '{}',
    });
    expect(r.id).toBe(derivedId('event', idTime(scope.taskId), `${scope.taskId}:7`));
  });

  it('derives the same id for the same task and line, another for another line', () => {
    const first = record({ ...base, event_id: '' }, 5).id;
    expect(record({ ...base, event_id: ' ' }, 5).id).toBe(first);
    expect(record({ ...base }, 6).id).not.toBe(first);
  });

  it.each([
    [
      { event_name: '', external_customer_id: 'c' },
      RowErrorCode.REQUIRED,
      'event_name is required',
    ],
    [
      { event_name: '   ', external_customer_id: 'c' },
      RowErrorCode.REQUIRED,
      'event_name is required',
    ],
    [
      { event_name: 'e', external_customer_id: '' },
      RowErrorCode.REQUIRED,
      'external_customer_id is required',
    ],
    [
      { ...base, event_name: 'x'.repeat(256) },
      RowErrorCode.TOO_LONG,
      'event_name is 256 characters long, more than the 255 allowed',
    ],
    [
      { ...base, event_id: 'i'.repeat(300) },
      RowErrorCode.TOO_LONG,
      'event_id is 300 characters long, more than the 255 allowed',
    ],
    [
      { ...base, source: 'a\0b' },
      RowErrorCode.INVALID_VALUE,
      'source "a\\u0000b" contains a NUL character, which cannot be stored',
    ],
    [
      { ...base, timestamp: '2024-01-31T12:00:00' },
      RowErrorCode.INVALID_VALUE,
      'timestamp "2024-01-31T12:00:00" has no time zone; add Z or an offset such as +02:00',
    ],
    [
      { ...base, timestamp: '2024-02-30T00:00:00Z' },
      RowErrorCode.INVALID_VALUE,
      'timestamp "2024-02-30T00:00:00Z" is not a real date and time',
    ],
    [
      { ...base, timestamp: '2023-02-29T00:00:00Z' },
      RowErrorCode.INVALID_VALUE,
      'timestamp "2023-02-29T00:00:00Z" is not a real date and time',
    ],
    [
      { ...base, timestamp: 'yesterday' },
      RowErrorCode.INVALID_VALUE,
      'timestamp "yesterday" is not an RFC 3339 time such as 2024-01-31T12:00:00Z',
    ],
    [
      { ...base, timestamp: '2024-01-31T12:00:00+0200' },
      RowErrorCode.INVALID_VALUE,
      'timestamp "2024-01-31T12:00:00+0200" is not an RFC 3339 time such as 2024-01-31T12:00:00Z',
    ],
    [
      { ...base, properties: '{"a":' },
      RowErrorCode.INVALID_VALUE,
      /^properties "\{\\"a\\":" is not valid JSON \(.+\)$/,
    ],
    [
      { ...base, properties: '[1,2]' },
      RowErrorCode.INVALID_VALUE,
      'properties must be a JSON object, not an array',
    ],
    [
      { ...base, properties: '42' },
      RowErrorCode.INVALID_VALUE,
      'properties must be a JSON object, not a number',
    ],
    [
      { ...base, properties: 'null' },
      RowErrorCode.INVALID_VALUE,
      'properties must be a JSON object, not null',
    ],
    [
      { ...base, properties: '{"a":"\\u0000"}' },
      RowErrorCode.INVALID_VALUE,
      /^properties .* contains a NUL character/,
    ],
    [
      { ...base, 'properties.k': 'v'.repeat(5000) },
      RowErrorCode.TOO_LONG,
      'properties.k is 5000 characters long, more than the 4096 allowed',
    ],
  ])('refuses %j with %s', (row, code, message) => {
    const err = rowError(row, 9);
    expect(err.row_number).toBe(9);
    expect(err.code).toBe(code);
    if (typeof message === 'string') expect(err.message).toBe(message);
    else expect(err.message).toMatch(message);
    expect(err.raw).toEqual(row);
  });

  it.each([
    ['2024-02-29T23:59:59Z', '2024-02-29T23:59:59Z'],
    ['2024-01-31T12:00:00.123456789-05:30', '2024-01-31T12:00:00.123456789-05:30'],
    ['2024-01-31t12:00:00z', '2024-01-31T12:00:00Z'],
    ['2024-01-31 12:00:00+00:00', '2024-01-31T12:00:00+00:00'],
  ])('accepts the timestamp %s', (timestamp, stored) => {
    expect(record({ ...base, timestamp }).timestamp).toBe(stored);
  });

  it('reads a row shorter than the header as blank trailing cells (docs/FORMATS.md §1)', () => {
    const mapper = eventsImport.compile(['event_name', 'external_customer_id', 'source'], scope);
    const rec = mapper.map(['a', 'b'], 4);
    expect(rec).toMatch(/^4\tevent_\w+\ta\tb\t\\N\t.*\t\\N\t\{\}$/); // source absent
  });

  describe('properties', () => {
    it('reads properties.<key> columns as strings, a blank one as ""', () => {
      expect(
        JSON.parse(
          record({ ...base, 'properties.a': '1', 'properties.b': '', 'properties.c.d': 'x' })
            .properties,
        ),
      ).toEqual({
        a: '1',
        b: '',
        'c.d': 'x',
      });
    });

    it('passes a JSON properties cell through unchanged', () => {
      const json = '{"tokens": 12345678901234567890, "nested": {"ok": true}}';
      expect(record({ ...base, properties: json }).properties).toBe(json);
    });

    it('merges both forms, the JSON object winning on a shared key', () => {
      const merged = record({
        ...base,
        'properties.a': 'column',
        'properties.b': 'only-column',
        properties: '{"a":"json","c":3}',
      });
      expect(JSON.parse(merged.properties)).toEqual({ a: 'json', b: 'only-column', c: 3 });
    });

    it('treats a __proto__ key as data', () => {
      const r = record({
        ...base,
        'properties.__proto__': 'x',
        properties: '{"__proto__": {"polluted": 1}}',
      });
      expect(JSON.parse(r.properties)).toEqual(JSON.parse('{"__proto__": {"polluted": 1}}'));
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('formula guard', () => {
    it.each([
      ["'=SUM(A1)", '=SUM(A1)'],
      ["'+cust", '+cust'],
      ["'-x", '-x'],
      ["'@home", '@home'],
      ["'\tx", '\tx'],
      ["'\rx", '\rx'],
      ["'plain", "'plain"],
    ])('reads %j as %j', (cell, value) => {
      const r = record({
        event_name: cell,
        external_customer_id: cell,
        source: cell,
        'properties.p': cell,
      });
      expect([r.eventName, r.externalCustomerId, r.source, JSON.parse(r.properties).p]).toEqual([
        value,
        value,
        value,
        value,
      ]);
    });
  });

  it('writes properties.<key> cells as JSON.stringify would, escapes and all', () => {
    const cells = [
      'plain',
      'a"b',
      'back\\slash',
      'tab\there',
      'ctl\u0001',
      'pair \ud83d\ude00',
      'é',
    ];
    const row: Record<string, string> = { ...base };
    cells.forEach((v, i) => (row[`properties.k${i}`] = v));
    const expected: Record<string, string> = {};
    cells.forEach((v, i) => (expected[`k${i}`] = v));
    expect(record(row).properties).toBe(JSON.stringify(expected));
  });

  describe('a dry run’s records (docs/DECISIONS.md 112)', () => {
    const dryScope: ImportScope = { ...scope, dryRun: true };
    const mapDry = (row: Record<string, string>, line = 2) => {
      const r = eventsImport.compile(Object.keys(row), dryScope).map(Object.values(row), line);
      if (typeof r !== 'string') throw new Error(`unexpected row error: ${r.message}`);
      return r;
    };

    it('keeps only the key of a row PostgreSQL cannot refuse', () => {
      const r = mapDry(
        { event_id: 'e\t1', ...base, timestamp: '2024-01-31t12:00:00z', 'properties.a': 'x' },
        7,
      );
      expect(recordLine(r)).toBe(7);
      expect(dryRecordKeyText(r)).toBe('e\\t1\t2024-01-31T12:00:00Z\t\\N');
    });

    it('keeps every cell of a row with a JSON cell or an offset, as the real record has them', () => {
      for (const row of [
        { event_id: 'e1', ...base, timestamp: '2024-01-31T12:00:00+02:00', 'properties.a': 'x' },
        { event_id: 'e1', ...base, source: 's', properties: '{"b":1}' },
      ]) {
        const dry = mapDry(row);
        expect(dryEventFields(dry)).toEqual(record(row));
      }
      const withCell = mapDry({ event_id: 'e1', ...base, properties: '{"b":1}' });
      expect(dryRecordKeyText(withCell)).toBe('e1\t2025-03-04T05:06:07.000Z\t{"b":1}');
    });

    it('still refuses what the real run refuses', () => {
      const row = { ...base, 'properties.a': 'x'.repeat(5000) };
      const dry = eventsImport.compile(Object.keys(row), dryScope).map(Object.values(row), 2);
      expect(dry).toEqual(rowError(row));
    });
  });
});
