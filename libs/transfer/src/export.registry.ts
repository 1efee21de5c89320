import { EntityType } from '@ferry/contracts';

import { customersExport } from './entity-types/customers/customers.export';
import { eventsExport } from './entity-types/events/events.export';
import { featuresExport } from './entity-types/features/features.export';
import { pricesExport } from './entity-types/prices/prices.export';
import type { EntityExportDefinition } from './export-definition';

/**
 * Every entity type that can be exported; the exporter serves exactly these, one consumer each.
 * Adding an entity type: docs/ARCHITECTURE.md, "Adding an entity type" (registries.spec.ts fails
 * until it has its line here).
 */
export const EXPORT_DEFINITIONS: ReadonlyMap<EntityType, EntityExportDefinition> = new Map([
  [EntityType.EVENTS, eventsExport],
  [EntityType.CUSTOMERS, customersExport],
  [EntityType.FEATURES, featuresExport],
  [EntityType.PRICES, pricesExport],
]);
