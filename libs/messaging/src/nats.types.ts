// Type-only: nats-core is pinned in package.json (the same version transport-node depends on).
import type * as NatsCore from '@nats-io/nats-core';
import * as transport from '@nats-io/transport-node';

/*
 * @nats-io/transport-node re-exports nats-core through the "@nats-io/nats-core/internal" subpath
 * export, which `moduleResolution: "node"` (tsconfig.base.json) cannot follow: TypeScript sees
 * neither the types (NatsConnection would be `any`) nor the functions (headers, nanos). The
 * runtime export is fine, so this file re-types it with nats-core's own declarations.
 */
const core = transport as unknown as typeof NatsCore;

export type NatsConnection = NatsCore.NatsConnection;
export type ConnectionOptions = NatsCore.ConnectionOptions;
export type Msg = NatsCore.Msg;
export type MsgHdrs = NatsCore.MsgHdrs;
export type Status = NatsCore.Status;
export type Subscription = NatsCore.Subscription;

export const connect = transport.connect as (opts: ConnectionOptions) => Promise<NatsConnection>;
export const headers: typeof NatsCore.headers = core.headers;
export const nanos: typeof NatsCore.nanos = core.nanos;
