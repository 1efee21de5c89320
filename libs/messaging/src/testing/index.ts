// Test helpers of @ferry/messaging (a throwaway nats-server that fault tests may stop and restart);
// not part of the app bundles.
export * from './private-nats.server';
