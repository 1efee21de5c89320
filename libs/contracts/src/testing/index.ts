// Test helpers of @ferry/contracts (shared case tables); not part of the app bundles.
export * from './task-projection.cases';
