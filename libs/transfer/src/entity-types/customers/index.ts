export * from './customer.record';
export * from './customers.import';
export {
  CUSTOMER_LIMITS,
  CUSTOMER_REQUIRED_COLUMNS,
  CustomerRowMapper,
} from './customer-row.mapper';
export { writeCustomerBatch } from './customer-batch.writer';
export * from './customers.export';
