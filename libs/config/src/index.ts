// Every service's settings: one class-validator class per service, read from the environment and
// validated once at boot (a bad value stops the start and names every bad variable).
export * from './base.config';
export * from './load-config';
