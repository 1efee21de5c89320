import { EntityType } from '@ferry/contracts';

import { type EntityImportDefinition } from '../../entity-definition';
import { type EventRecord } from './event.record';
import {
  dropDryEventIds,
  dryWriteEventBatch,
  prepareDryEventIds,
  writeEventBatch,
} from './event-batch.writer';
import { EVENT_REQUIRED_COLUMNS } from './event-columns';
import { EventRowMapper } from './event-row.mapper';

/** EVENTS import (docs/FORMATS.md §2): insert, a repeated event_id in the environment is a skipped duplicate. */
export const eventsImport: EntityImportDefinition<EventRecord> = {
  entity: EntityType.EVENTS,
  revert: { table: 'events', kind: 'inserted' },
  requiredColumns: EVENT_REQUIRED_COLUMNS,
  parallelWrites: true,
  splittable: true,
  compile: (header, scope) => EventRowMapper.compile(header, scope),
  writeBatch: (client, records, scope) => writeEventBatch(client, records, scope),
  dryWriteBatch: (client, records, scope) => dryWriteEventBatch(client, records, scope),
  dryFinish: (client, scope) => dropDryEventIds(client, scope),
  dryPrepare: (client, scope) => prepareDryEventIds(client, scope),
};
