import { RowErrorCode } from '@ferry/contracts';

import { isError, mapRow, TEST_SCOPE } from '../../testing/map-row';
import { type CustomerRecord, METADATA_BIT } from './customer.record';
import { customersImport } from './customers.import';

const base = { external_id: 'c-1', name: 'Acme' };

function ok(row: Record<string, string>): CustomerRecord {
  const r = mapRow(customersImport, row);
  if (isError(r)) throw new Error(`unexpected row error: ${r.message}`);
  return r;
}

describe('CUSTOMERS row mapping', () => {
  it('fails the file when external_id or name is missing, or a column repeats', () => {
    expect(() => customersImport.compile(['email'], TEST_SCOPE)).toThrow(
      /lacks the required columns external_id, name/,
    );
    expect(() =>
      customersImport.compile(['external_id', 'name', 'email', 'email'], TEST_SCOPE),
    ).toThrow(/email appears more than once/);
  });

  it('lists unknown columns, but not the server-assigned ones an export adds', () => {
    const m = customersImport.compile(
      ['id', 'external_id', 'name', 'phone', 'created_at', 'updated_at'],
      TEST_SCOPE,
    );
    expect(m.ignoredColumns).toEqual(['phone']);
  });

  it('maps a full row', () => {
    const r = ok({
      ...base,
      email: 'ann@example.com',
      address_line1: '1 Main St',
      address_line2: '',
      address_city: 'Berlin',
      address_state: 'BE',
      address_postal_code: '10115',
      address_country: 'de',
      'metadata.tier': 'gold',
      'metadata.old': '',
      metadata: '{"plan":"pro","n":3}',
    });
    expect(r).toMatchObject({
      externalId: 'c-1',
      name: 'Acme',
      fields: {
        email: 'ann@example.com',
        address_line2: null,
        address_country: 'DE',
        address_city: 'Berlin',
      },
      metadataSet: { tier: 'gold', old: '', plan: 'pro', n: '3' },
      metadataRemove: [],
    });
    expect(r.id).toMatch(/^cust_[0-9A-Z]{26}$/);
    expect(r.present & METADATA_BIT).toBeTruthy();
  });

  it('marks only the columns the file has as present (absent columns keep their value)', () => {
    const r = ok({ ...base, email: '' });
    expect(r.present).toBe(1); // email only
    expect(r.fields.email).toBeNull();
    expect(ok(base).present).toBe(0);
  });

  it('lets the metadata JSON win over a metadata.<key> column', () => {
    expect(ok({ ...base, 'metadata.a': 'col', metadata: '{"a":"json"}' }).metadataSet).toEqual({
      a: 'json',
    });
  });

  it('derives the same id for the same task and line', () => {
    expect(ok(base).id).toBe(ok(base).id);
  });

  it.each([
    ['external_id blank', { external_id: ' ' }, RowErrorCode.REQUIRED, /external_id is required/],
    ['name blank', { name: '' }, RowErrorCode.REQUIRED, /name is required/],
    [
      'name of 256 characters',
      { name: 'x'.repeat(256) },
      RowErrorCode.TOO_LONG,
      /name is 256 characters long, more than the 255/,
    ],
    [
      'email without @',
      { email: 'ann.example.com' },
      RowErrorCode.INVALID_VALUE,
      /email "ann.example.com" is not a valid email/,
    ],
    ['email without domain dot', { email: 'ann@example' }, RowErrorCode.INVALID_VALUE, /email/],
    ['email with a space', { email: 'a nn@example.com' }, RowErrorCode.INVALID_VALUE, /email/],
    [
      'address_line1 of 256',
      { address_line1: 'x'.repeat(256) },
      RowErrorCode.TOO_LONG,
      /address_line1/,
    ],
    [
      'address_line2 of 256',
      { address_line2: 'x'.repeat(256) },
      RowErrorCode.TOO_LONG,
      /address_line2/,
    ],
    [
      'address_city of 101',
      { address_city: 'x'.repeat(101) },
      RowErrorCode.TOO_LONG,
      /address_city is 101/,
    ],
    [
      'address_state of 101',
      { address_state: 'x'.repeat(101) },
      RowErrorCode.TOO_LONG,
      /address_state/,
    ],
    [
      'address_postal_code of 21',
      { address_postal_code: '1'.repeat(21) },
      RowErrorCode.TOO_LONG,
      /address_postal_code is 21/,
    ],
    [
      'address_country unknown',
      { address_country: 'XX' },
      RowErrorCode.INVALID_VALUE,
      /address_country "XX" is not an ISO 3166-1/,
    ],
    [
      'address_country of 3 letters',
      { address_country: 'DEU' },
      RowErrorCode.INVALID_VALUE,
      /address_country/,
    ],
    [
      'metadata not JSON',
      { metadata: '{nope' },
      RowErrorCode.INVALID_VALUE,
      /metadata "\{nope" is not valid JSON/,
    ],
    [
      'metadata an array',
      { metadata: '[1]' },
      RowErrorCode.INVALID_VALUE,
      /metadata must be a JSON object/,
    ],
    [
      'metadata nested',
      { metadata: '{"a":{"b":1}}' },
      RowErrorCode.INVALID_VALUE,
      /metadata.a must be a string/,
    ],
    ['a NUL in name', { name: 'a\0b' }, RowErrorCode.INVALID_VALUE, /NUL/],
  ])('refuses %s', (_name, over, code, message) => {
    const r = mapRow(
      customersImport,
      {
        ...base,
        email: '',
        address_line1: '',
        address_line2: '',
        address_city: '',
        address_state: '',
        address_postal_code: '',
        address_country: '',
        metadata: '',
        ...over,
      },
      7,
    );
    if (!isError(r)) throw new Error('expected a row error');
    expect(r.code).toBe(code);
    expect(r.message).toMatch(message);
    expect(r.row_number).toBe(7);
    expect(r.raw).toMatchObject({ ...over });
  });

  it.each([
    ['name of 255', { name: 'x'.repeat(255) }],
    ['address_city of 100', { address_city: 'x'.repeat(100) }],
    ['address_postal_code of 20', { address_postal_code: '1'.repeat(20) }],
    ['a plus address', { email: 'ann+billing@mail.example.co.uk' }],
    ['every blank optional', { email: '', address_country: '' }],
  ])('accepts %s', (_name, over) => {
    expect(isError(mapRow(customersImport, { ...base, ...over }))).toBe(false);
  });

  it('reads the missing cells of a short row as absent columns, which keep their field', () => {
    const r = customersImport
      .compile(['external_id', 'name', 'email'], TEST_SCOPE)
      .map(['c1', 'Acme'], 3);
    expect(r).toMatchObject({ externalId: 'c1', name: 'Acme', present: 0 });
  });
});
