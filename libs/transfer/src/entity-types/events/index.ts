export * from './event.record';
export * from './events.import';
export { EVENT_REQUIRED_COLUMNS } from './event-columns';
export { EVENT_LIMITS, EventRowMapper } from './event-row.mapper';
export { writeEventBatch } from './event-batch.writer';
export { DerivedEventIds } from './derived-event-id';
