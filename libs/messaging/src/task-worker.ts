import { type INestApplication } from '@nestjs/common';

import {
  type EntityType,
  parseEvent,
  TaskCreatedEvent,
  taskCreatedPattern,
  TaskPartEvent,
  taskPartPattern,
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
  /** Runs one delivery of one part of a split import (docs/DECISIONS.md 128). */
  runPart?(task: TaskPartEvent, control: { signal: AbortSignal }): Promise<void>;
}

export interface TaskWorkerBindingOptions {
  taskType: TaskType;
  /** `importer` or `exporter`: names the connection and the durable consumers. */
  service: string;
  /** The entity types the worker serves: the keys of its registry of definitions. */
  entityTypes: Iterable<EntityType>;
  /** The entity types whose imports may be split into parts: one more consumer each. */
  partEntityTypes?: Iterable<EntityType>;
  runner: TaskRunner;
}

/** One entity type a worker serves: its subject pattern, its durable consumer, its handler. */
export interface TaskWorkerBinding {
  entity: EntityType;
  pattern: string;
  durable: string;
  /** The consumer of a split import's parts (`<service>_parts_<entity>`). */
  parts: boolean;
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
  const tasks = [...new Set(o.entityTypes)].map((entity) => ({
    entity,
    pattern: taskCreatedPattern(o.taskType, entity),
    durable: `${o.service}_${entity.toLowerCase()}`,
    parts: false,
    handle: async (data: unknown, ctx: JetStreamContext) => {
      const task = parseEvent(TaskCreatedEvent, data);
      await o.runner.run(task, { signal: ctx.signal });
    },
  }));
  const runPart = o.runner.runPart?.bind(o.runner);
  if (!runPart) return tasks;
  const parts = [...new Set(o.partEntityTypes ?? [])].map((entity) => ({
    entity,
    pattern: taskPartPattern(entity),
    durable: `${o.service}_parts_${entity.toLowerCase()}`,
    parts: true,
    handle: async (data: unknown, ctx: JetStreamContext) => {
      const part = parseEvent(TaskPartEvent, data);
      await runPart(part, { signal: ctx.signal });
    },
  }));
  return [...tasks, ...parts];
}

export interface TaskWorkerOptions extends TaskWorkerBindingOptions {
  /** Tasks one replica runs at once, per entity type. */
  concurrency: number;
  /** Parts of split imports one replica reads at once, per entity type (default 1). */
  partConcurrency?: number;
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
      bindings.map((b) => [
        b.pattern,
        { durable: b.durable, concurrency: b.parts ? (o.partConcurrency ?? 1) : o.concurrency },
      ]),
    ),
    onDeadLetter: async (dl) => {
      const task = parseEvent(TaskCreatedEvent, dl.data);
      const part = (dl.data as { part?: unknown }).part;
      const what = typeof part === 'number' ? `${verb} of part ${part}` : verb;
      await o.runner.fail(
        task.task_id,
        `${what} gave up after ${dl.deliveries} attempts: ${dl.error.message}`,
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
