export * from './price.record';
export * from './prices.import';
export { PRICE_LIMITS, PRICE_REQUIRED_COLUMNS, PriceRowMapper } from './price-row.mapper';
export { parseTiers } from './price-tiers.parser';
export { writePriceBatch } from './price-batch.writer';
export * from './prices.export';
