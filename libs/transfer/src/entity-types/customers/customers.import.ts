import { EntityType } from '@ferry/contracts';

import { type EntityImportDefinition } from '../../entity-definition';
import { type CustomerRecord } from './customer.record';
import { writeCustomerBatch } from './customer-batch.writer';
import { CUSTOMER_REQUIRED_COLUMNS, CustomerRowMapper } from './customer-row.mapper';

/** CUSTOMERS import (docs/FORMATS.md §2): upsert by external_id; blank clears, absent keeps, metadata merges. */
export const customersImport: EntityImportDefinition<CustomerRecord> = {
  entity: EntityType.CUSTOMERS,
  keepsBeforeImages: true,
  revert: {
    table: 'customers',
    kind: 'upserted',
    key: 'external_id',
    restore: [
      'name',
      'email',
      'address_line1',
      'address_line2',
      'address_city',
      'address_state',
      'address_postal_code',
      'address_country',
      'metadata',
    ],
  },
  requiredColumns: CUSTOMER_REQUIRED_COLUMNS,
  // One INSERT … ON CONFLICT DO UPDATE per group, no read before the write: a later batch that
  // meets an earlier one's uncommitted row waits and then applies on top of it (the committer
  // rewrites both one at a time when the wait goes the other way).
  parallelWrites: true,
  compile: (header, scope) => CustomerRowMapper.compile(header, scope),
  writeBatch: (client, records, scope) => writeCustomerBatch(client, records, scope),
};
