import { EntityType } from '@ferry/contracts';

import { exportColumns, ID_COLUMN, SERVER_TIMES } from '../../common/export-sql';
import type { EntityExportDefinition } from '../../export-definition';
import { CUSTOMER_COLUMNS } from './customer.record';

/**
 * CUSTOMERS export: the import's columns (so the file imports back unchanged), `metadata` as one
 * JSON-object cell (an object in a JSON export), plus the server-assigned `id`, `created_at` and
 * `updated_at`, which an import ignores.
 */
export const customersExport: EntityExportDefinition = {
  entity: EntityType.CUSTOMERS,
  table: 'customers',
  columns: [ID_COLUMN, ...exportColumns(CUSTOMER_COLUMNS, { metadata: 'json' }), ...SERVER_TIMES],
  timeColumn: 'created_at',
  idColumn: 'id',
  tieBreak: 'external_id',
  filters: { external_customer_id: 'external_id' },
};
