import { EntityType } from '@ferry/contracts';

import { utc } from '../../common/export-sql';
import type { EntityExportDefinition } from '../../export-definition';

/**
 * EVENTS export: the import columns, `properties` as one JSON object cell (keys are free, so
 * `properties.<key>` columns would need a pass over the data first), and `created_at`, the time
 * Ferry stored the event (server-assigned; an import ignores it). `event_id` is the event's id.
 */
export const eventsExport: EntityExportDefinition = {
  entity: EntityType.EVENTS,
  table: 'events',
  columns: [
    { name: 'event_id', sql: 'id', kind: 'text' },
    { name: 'event_name', sql: 'event_name', kind: 'text' },
    { name: 'external_customer_id', sql: 'external_customer_id', kind: 'text' },
    { name: 'customer_id', sql: 'customer_id', kind: 'text' },
    { name: 'timestamp', sql: utc('timestamp'), kind: 'text' },
    { name: 'source', sql: 'source', kind: 'text' },
    { name: 'properties', sql: 'properties::text', kind: 'json' },
    { name: 'created_at', sql: utc('ingested_at'), kind: 'text' },
  ],
  timeColumn: 'timestamp',
  idColumn: 'id',
  filters: { event_name: 'event_name', external_customer_id: 'external_customer_id' },
};
