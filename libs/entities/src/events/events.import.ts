import { EntityType } from '@ferry/contracts';
import { EntityImportDefinition } from '../entity-definition';
import { writeEventBatch } from './event-batch.writer';
import { EVENT_REQUIRED_COLUMNS } from './event-columns';
import { EventRowMapper } from './event-row.mapper';
import { EventRecord } from './event.record';

/** EVENTS import (SPEC §5): insert, a repeated event_id in the environment is a skipped duplicate. */
export const eventsImport: EntityImportDefinition<EventRecord> = {
  entity: EntityType.EVENTS,
  requiredColumns: EVENT_REQUIRED_COLUMNS,
  parallelWrites: true,
  compile: (header, scope) => EventRowMapper.compile(header, scope),
  writeBatch: (client, records, scope) => writeEventBatch(client, records, scope),
};
