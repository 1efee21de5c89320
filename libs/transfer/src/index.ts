// The import/export engine: the generic pipeline, the definitions it drives, and the registries
// that map each entity type to its folder's definitions (entity-types/<name>/, reached only
// through the registries).
export * from './entity-definition';
export * from './import.registry';
export * from './pipeline/record-mapping';
export * from './pipeline/status.publisher';
export * from './pipeline/task-delivery';
export * from './pipeline/import.runner';
export * from './pipeline/import-revert';
export * from './pipeline/task.failer';
export * from './export-definition';
export * from './export.registry';
export * from './pipeline/export-selection';
export * from './pipeline/export-format';
export * from './pipeline/export-copy';
export * from './pipeline/export.runner';
export * from './pipeline/cancel.watch';
export * from './worker/task-worker.module';
export * from './worker/task-worker.bootstrap';
