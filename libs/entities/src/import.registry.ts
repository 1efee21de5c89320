import { EntityType } from '@ferry/contracts';
import type { EntityImportDefinition } from './entity-definition';
import { eventsImport } from './events';

/** Every entity type that can be imported. Adding an entity type = adding its folder and a line here. */
export const IMPORT_DEFINITIONS: ReadonlyMap<EntityType, EntityImportDefinition<unknown>> = new Map<
  EntityType,
  EntityImportDefinition<unknown>
>([[EntityType.EVENTS, eventsImport as EntityImportDefinition<unknown>]]);
