// JetStream: provisioning, publish with msgID, Nest custom transport, consumer runner.
export * from './messaging.config';
export * from './jetstream.client';
export * from './jetstream.context';
export * from './dead-letter.publisher';
export * from './consumer.provisioner';
export * from './consumer.runner';
export * from './max-deliveries.watcher';
export * from './jetstream.server';
export * from './jetstream-exception.filter';
// nats.js types, re-typed for moduleResolution "node" (see nats.types.ts).
export type { Msg, MsgHdrs, NatsConnection, Status, Subscription } from './nats.types';
export * from './messaging.module';
export * from './task-worker';
export { delay } from './delay.util';
