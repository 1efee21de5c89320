// Logger, config validation and health (trace context over NATS headers and metrics to come).
export * from './load-config';
export * from './base.config';
export * from './logger';
export * from './run-or-exit';
export * from './health.registry';
export * from './health.controller';
