import { type INestApplication } from '@nestjs/common';

import {
  type EntityType,
  parseEvent,
  TaskCreatedEvent,
  taskCreatedPattern,
  TaskType,
} from '@ferry/contracts';

import type { JetStreamContext } from './jetstream.context';
import { type JetStreamServer } from './jetstream.server';
import { connectJetStream, messagingConfigFrom, type MessagingEnv } from './messaging.module';

/** What runs the tasks of a worker: `ImportRunner` or `ExportRunner` of @ferry/transfer. */
export interface TaskRunner {
  /** Runs one delivery of a task; `signal` is aborted when the worker shuts down. */
  run(task: TaskCreatedEvent, control: { signal: AbortSignal }): Promise<void>;
  /** Ends a task FAILED with a sentence (its deliveries ran out; the message is in the DLQ). */
  fail(taskId: string, reason: string): Promise<void>;
}

export interface TaskWorkerBindingOptions {
  taskType: TaskType;
  /** `importer` or `exporter`: names the connection and the durable consumers. */
  service: string;
  /** The entity types the worker serves: the keys of its registry of definitions. */
  entityTypes: Iterable<EntityType>;
  runner: TaskRunner;
}

/** One entity type a worker serves: its subject pattern, its durable consumer, its handler. */
export interface TaskWorkerBinding {
  entity: EntityType;
  pattern: string;
  durable: string;
  handle(data: unknown, ctx: JetStreamContext): Promise<void>;
}

/**
 * The handlers of a worker, one per entity type it has a definition for, so a consumer and its
 * handler come from the same list and can never be one without the other. Each parses the
 * message (a malformed one is a non-retryable FerryError, so it goes to the DLQ at once) and
 * hands the task and the delivery's signal to the runner; the runner's failure is returned to
 * the transport as it is (nak or dead letter).
 */
export function taskWorkerBindings(o: TaskWorkerBindingOptions): TaskWorkerBinding[] {
  return [...new Set(o.entityTypes)].map((entity) => ({
    entity,
    pattern: taskCreatedPattern(o.taskType, entity),
    durable: `${o.service}_${entity.toLowerCase()}`,
    handle: async (data, ctx) => {
      const task = parseEvent(TaskCreatedEvent, data);
      await o.runner.run(task, { signal: ctx.signal });
    },
  }));
}

export interface TaskWorkerOptions extends TaskWorkerBindingOptions {
  /** Tasks one replica runs at once, per entity type. */
  concurrency: number;
  env: MessagingEnv;
}

/**
 * Serves an importer's or exporter's `task.created.<type>.<entity>` messages: per entity type one
 * durable consumer (`<service>_<entity>`) bound to its handler, and a task whose deliveries run
 * out ends FAILED with the last error.
 */
export function connectTaskWorker(app: INestApplication, o: TaskWorkerOptions): JetStreamServer {
  const bindings = taskWorkerBindings(o);
  const verb = o.taskType === TaskType.IMPORT ? 'Import' : 'Export';
  const server = connectJetStream(app, {
    config: messagingConfigFrom(o.env, `ferry-${o.service}`),
    consumers: Object.fromEntries(
      bindings.map((b) => [b.pattern, { durable: b.durable, concurrency: o.concurrency }]),
    ),
    onDeadLetter: async (dl) => {
      const task = parseEvent(TaskCreatedEvent, dl.data);
      await o.runner.fail(
        task.task_id,
        `${verb} gave up after ${dl.deliveries} attempts: ${dl.error.message}`,
      );
    },
  });
  for (const b of bindings) {
    server.addHandler(
      b.pattern,
      (data: unknown, ctx: JetStreamContext) => b.handle(data, ctx),
      true,
    );
  }
  return server;
}
