import type { Provider } from '@nestjs/common';

import { Subjects } from '@ferry/contracts';
import { JetStreamClient } from '@ferry/messaging';
import { TaskRepository } from '@ferry/persistence';

import { GatewayConfig } from '../gateway.config';
import { StreamSlots } from './stream-slots';
import { TaskWatchHub } from './task-watch.hub';

/** The hub on the gateway's NATS connection, reading rows by id (callers check the scope). */
export const taskWatchHubProvider: Provider = {
  provide: TaskWatchHub,
  useFactory: (
    client: JetStreamClient,
    subjects: Subjects,
    tasks: TaskRepository,
    config: GatewayConfig,
  ) =>
    new TaskWatchHub(client.nc, subjects, (id) => tasks.findById(id), {
      heartbeatMs: config.FERRY_SSE_HEARTBEAT_MS,
      pollMs: config.FERRY_SSE_POLL_MS,
      settleMs: 5000,
    }),
  inject: [JetStreamClient, Subjects, TaskRepository, GatewayConfig],
};

/** The caps on open event streams, per API key and per process (FERRY_SSE_MAX_STREAMS*). */
export const streamSlotsProvider: Provider = {
  provide: StreamSlots,
  useFactory: (config: GatewayConfig) =>
    new StreamSlots(config.FERRY_SSE_MAX_STREAMS_PER_KEY, config.FERRY_SSE_MAX_STREAMS),
  inject: [GatewayConfig],
};
