// Test helpers of @ferry/persistence (a throwaway database per spec); not part of the app bundles.
export * from './test-database';
