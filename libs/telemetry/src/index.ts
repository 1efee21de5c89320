// Logs, traces, metrics and health of every service.
export * from './logger';
export * from './log-context';
export * from './redact';
export * from './tracing';
export * from './trace-context';
export * from './http-tracing.middleware';
export * from './run-or-exit';
export * from './health.registry';
export * from './health.controller';
export * from './public-route';
export * from './metrics';
export * from './metrics.controller';
