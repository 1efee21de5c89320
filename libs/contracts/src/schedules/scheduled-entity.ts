import { EntityType } from '../enums';
import { FerryError } from '../ferry.error';

/**
 * Entity types of a scheduled export as Flexprice spells them (lower case, exact), each one of
 * Ferry's four. Flexprice's other types are billing records Ferry does not hold.
 */
export const SCHEDULED_ENTITY_TYPES: Readonly<Record<string, EntityType>> = {
  events: EntityType.EVENTS,
  customers: EntityType.CUSTOMERS,
  features: EntityType.FEATURES,
  prices: EntityType.PRICES,
};

/** Flexprice's scheduled-export types that name data Ferry does not hold. */
export const FLEXPRICE_ONLY_ENTITY_TYPES = ['invoice', 'credit_topups', 'credit_usage'] as const;

/** The wire spelling of one of Ferry's entity types in a schedule. */
export function scheduledEntityName(entity: EntityType): string {
  return entity.toLowerCase();
}

/** Reads `entity_type` of a schedule, or throws a 400 sentence naming what Ferry holds. */
export function parseScheduledEntity(value: unknown, field = 'entity_type'): EntityType {
  const known = Object.keys(SCHEDULED_ENTITY_TYPES);
  if (typeof value === 'string' && Object.hasOwn(SCHEDULED_ENTITY_TYPES, value)) {
    return SCHEDULED_ENTITY_TYPES[value];
  }
  const message = (FLEXPRICE_ONLY_ENTITY_TYPES as readonly unknown[]).includes(value)
    ? `${field} "${String(value)}" is a Flexprice billing record that Ferry does not hold; Ferry exports ${known.join(', ')}`
    : `${field} must be one of ${known.join(', ')}, not ${JSON.stringify(value) ?? String(value)}`;
  throw FerryError.validation(message, { fields: { [field]: [message] } });
}
