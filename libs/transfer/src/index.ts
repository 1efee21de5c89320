// One folder per entity type (row checks, mapping, batch writer, export columns) and the generic
// import pipeline that drives them.
export * from './entity-definition';
export * from './import.registry';
export * from './entity-types/events';
export * from './entity-types/customers';
export * from './entity-types/features';
export * from './entity-types/prices';
export * from './pipeline/record-mapping';
export * from './pipeline/status.publisher';
export * from './pipeline/task-delivery';
export * from './pipeline/import.runner';
export * from './pipeline/task.failer';
export * from './export-definition';
export * from './export.registry';
export * from './entity-types/events/events.export';
export * from './pipeline/export-selection';
export * from './pipeline/export-format';
export * from './pipeline/export.runner';
export * from './pipeline/cancel.watch';
