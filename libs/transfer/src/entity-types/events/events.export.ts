import { EntityType } from '@ferry/contracts';

import { exportColumns, utc } from '../../common/export-sql';
import type { EntityExportDefinition } from '../../export-definition';
import { EVENT_COLUMNS } from './event-columns';

/**
 * EVENTS export: the import columns, `properties` as one JSON object cell (keys are free, so
 * `properties.<key>` columns would need a pass over the data first), and `created_at`, the time
 * Ferry stored the event (server-assigned; an import ignores it). `event_id` is the event's id.
 */
export const eventsExport: EntityExportDefinition = {
  entity: EntityType.EVENTS,
  table: 'events',
  columns: [
    ...exportColumns(EVENT_COLUMNS, {
      event_id: { sql: 'id' },
      timestamp: 'time',
      properties: 'json',
    }),
    { name: 'created_at', sql: utc('ingested_at'), kind: 'text' },
  ],
  timeColumn: 'timestamp',
  idColumn: 'id',
  filters: { event_name: 'event_name', external_customer_id: 'external_customer_id' },
};
