import { EntityType } from '@ferry/contracts';
import type { EntityExportDefinition } from './export-definition';
import { eventsExport } from './events/events.export';

/** Every entity type that can be exported. Adding one = its folder's export definition and a line here. */
export const EXPORT_DEFINITIONS: ReadonlyMap<EntityType, EntityExportDefinition> = new Map([
  [EntityType.EVENTS, eventsExport],
]);
