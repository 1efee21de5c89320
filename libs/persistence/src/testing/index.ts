// Test helpers of @ferry/persistence (a throwaway database per spec, a transaction around a
// spec's writes); not part of the app bundles.
export * from './test-database';
export * from './transaction';
