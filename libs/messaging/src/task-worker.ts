import { type INestApplication } from '@nestjs/common';

import {
  EntityType,
  parseEvent,
  TaskCreatedEvent,
  taskCreatedPattern,
  TaskType,
} from '@ferry/contracts';

import { type JetStreamServer } from './jetstream.server';
import { connectJetStream, messagingConfigFrom, type MessagingEnv } from './messaging.module';

export interface TaskWorkerOptions {
  taskType: TaskType;
  /** `importer` or `exporter`: names the connection and the durable consumers. */
  service: string;
  /** Tasks one replica runs at once, per entity type. */
  concurrency: number;
  env: MessagingEnv;
  /** Ends a task FAILED with a sentence (its deliveries ran out; the message is in the DLQ). */
  fail: (taskId: string, reason: string) => Promise<void>;
}

/**
 * Serves an importer's or exporter's `task.created.<type>.<entity>` handlers: one durable
 * consumer per entity type (`<service>_<entity>`), and a task whose deliveries run out ends
 * FAILED with the last error.
 */
export function connectTaskWorker(app: INestApplication, o: TaskWorkerOptions): JetStreamServer {
  const consumers = Object.fromEntries(
    Object.values(EntityType).map((entity) => [
      taskCreatedPattern(o.taskType, entity),
      { durable: `${o.service}_${entity.toLowerCase()}`, concurrency: o.concurrency },
    ]),
  );
  const verb = o.taskType === TaskType.IMPORT ? 'Import' : 'Export';
  return connectJetStream(app, {
    config: messagingConfigFrom(o.env, `ferry-${o.service}`),
    consumers,
    onDeadLetter: async (dl) => {
      const task = parseEvent(TaskCreatedEvent, dl.data);
      await o.fail(
        task.task_id,
        `${verb} gave up after ${dl.deliveries} attempts: ${dl.error.message}`,
      );
    },
  });
}
