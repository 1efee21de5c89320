import { EntityType } from '@ferry/contracts';

import { type EntityImportDefinition } from '../../entity-definition';
import { type PriceRecord } from './price.record';
import { writePriceBatch } from './price-batch.writer';
import { PRICE_REQUIRED_COLUMNS, PriceRowMapper } from './price-row.mapper';

/** PRICES import (docs/FORMATS.md §2): insert; meter_id must exist, lookup_key is unique, reruns add nothing. */
export const pricesImport: EntityImportDefinition<PriceRecord> = {
  entity: EntityType.PRICES,
  revert: { table: 'prices', kind: 'inserted' },
  requiredColumns: PRICE_REQUIRED_COLUMNS,
  compile: (header, scope) => PriceRowMapper.compile(header, scope),
  writeBatch: (client, records, scope) => writePriceBatch(client, records, scope),
};
