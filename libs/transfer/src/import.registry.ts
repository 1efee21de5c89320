import { EntityType } from '@ferry/contracts';

import type { EntityImportDefinition } from './entity-definition';
import { customersImport } from './entity-types/customers';
import { eventsImport } from './entity-types/events';
import { featuresImport } from './entity-types/features';
import { pricesImport } from './entity-types/prices';

/**
 * Every entity type that can be imported; the importer serves exactly these, one consumer each.
 * Adding an entity type: docs/ARCHITECTURE.md, "Adding an entity type" (registries.spec.ts fails
 * until it has its line here).
 */
export const IMPORT_DEFINITIONS: ReadonlyMap<EntityType, EntityImportDefinition<unknown>> = new Map<
  EntityType,
  EntityImportDefinition<unknown>
>([
  [EntityType.EVENTS, eventsImport as EntityImportDefinition<unknown>],
  [EntityType.CUSTOMERS, customersImport as EntityImportDefinition<unknown>],
  [EntityType.FEATURES, featuresImport as EntityImportDefinition<unknown>],
  [EntityType.PRICES, pricesImport as EntityImportDefinition<unknown>],
]);
