import { EntityType } from '@ferry/contracts';
import type { EntityExportDefinition } from './export-definition';
import { customersExport } from './customers/customers.export';
import { eventsExport } from './events/events.export';
import { featuresExport } from './features/features.export';
import { pricesExport } from './prices/prices.export';

/** Every entity type that can be exported. Adding one = its folder's export definition and a line here. */
export const EXPORT_DEFINITIONS: ReadonlyMap<EntityType, EntityExportDefinition> = new Map([
  [EntityType.EVENTS, eventsExport],
  [EntityType.CUSTOMERS, customersExport],
  [EntityType.FEATURES, featuresExport],
  [EntityType.PRICES, pricesExport],
]);
