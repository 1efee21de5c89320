import { EntityType } from '@ferry/contracts';
import { EntityImportDefinition } from '../entity-definition';
import { writeCustomerBatch } from './customer-batch.writer';
import { CUSTOMER_REQUIRED_COLUMNS, CustomerRowMapper } from './customer-row.mapper';
import { CustomerRecord } from './customer.record';

/** CUSTOMERS import (SPEC §5): upsert by external_id; blank clears, absent keeps, metadata merges. */
export const customersImport: EntityImportDefinition<CustomerRecord> = {
  entity: EntityType.CUSTOMERS,
  requiredColumns: CUSTOMER_REQUIRED_COLUMNS,
  compile: (header, scope) => CustomerRowMapper.compile(header, scope),
  writeBatch: (client, records, scope) => writeCustomerBatch(client, records, scope),
};
