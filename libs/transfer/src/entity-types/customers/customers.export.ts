import { EntityType } from '@ferry/contracts';

import { SERVER_TIMES, textColumns } from '../../common/export-sql';
import type { EntityExportDefinition } from '../../export-definition';

/**
 * CUSTOMERS export: the import's columns (so the file imports back unchanged), `metadata` as one
 * JSON-object cell (an object in a JSON export), plus the server-assigned `id`, `created_at` and
 * `updated_at`, which an import ignores.
 */
export const customersExport: EntityExportDefinition = {
  entity: EntityType.CUSTOMERS,
  table: 'customers',
  columns: [
    ...textColumns(
      'id',
      'external_id',
      'name',
      'email',
      'address_line1',
      'address_line2',
      'address_city',
      'address_state',
      'address_postal_code',
      'address_country',
    ),
    { name: 'metadata', sql: 'metadata::text', kind: 'json' },
    ...SERVER_TIMES,
  ],
  timeColumn: 'created_at',
  idColumn: 'id',
  tieBreak: 'external_id',
  filters: { external_customer_id: 'external_id' },
};
