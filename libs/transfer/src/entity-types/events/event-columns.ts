import { type EntityColumns, resolveColumns } from '../../common/entity-columns';

export const EVENT_REQUIRED_COLUMNS = ['event_name', 'external_customer_id'] as const;

/** The EVENTS columns Ferry knows, in the order an event record stores them. */
export const EVENT_COLUMNS = [
  'event_id',
  'event_name',
  'external_customer_id',
  'customer_id',
  'timestamp',
  'source',
  'properties',
] as const;

/** Positions of the EVENTS columns in one file's header; `properties.<key>` are the prefixed ones. */
export type EventColumns = EntityColumns<(typeof EVENT_COLUMNS)[number]>;

/** Reads the header once; a missing required or a repeated column fails the whole file. */
export function resolveEventColumns(header: readonly string[]): EventColumns {
  return resolveColumns(header, EVENT_COLUMNS, EVENT_REQUIRED_COLUMNS, 'properties.');
}
