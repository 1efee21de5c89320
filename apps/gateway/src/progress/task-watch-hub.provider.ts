import type { Provider } from '@nestjs/common';

import { Subjects } from '@ferry/contracts';
import { JetStreamClient } from '@ferry/messaging';
import { TaskRepository } from '@ferry/persistence';

import { GatewayConfig } from '../gateway.config';
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
    }),
  inject: [JetStreamClient, Subjects, TaskRepository, GatewayConfig],
};
