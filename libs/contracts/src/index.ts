// class-transformer's @Type reads decorator metadata when the event classes load.
import 'reflect-metadata';

export * from './enums';
export * from './error-codes';
export * from './ferry.error';
export * from './ids';
export * from './subjects';
export * from './row-error';
export * from './messages/task-created.event';
export * from './messages/task-status.event';
export * from './parse-event';
export * from './task-lifecycle';
export * from './task-projection';
export * from './rfc3339.parser';
export * from './json-shape.check';
export * from './task-metadata/export-selection.parser';
export * from './task-metadata/max-errors.parser';
export * from './task-metadata/strict.parser';
export * from './task-metadata/task-metadata.check';
export * from './task-metadata/export-columns.parser';
export * from './task-metadata/export-watermark.parser';
export * from './task-metadata/export-connection.parser';
export * from './schedules/schedule-interval';
export * from './schedules/scheduled-entity';
export * from './schedules/job-config.parser';
export * from './schedules/run-window.parser';
