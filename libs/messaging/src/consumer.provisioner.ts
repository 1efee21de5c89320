import { Logger } from '@nestjs/common';

import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  JetStreamApiCodes,
} from '@nats-io/jetstream';

import { isApiError, type JetStreamClient } from './jetstream.client';
import type { MessagingConfig } from './messaging.config';
import { nanos } from './nats.types';

export interface ConsumerOptions {
  /** Durable consumer name, shared by every replica of the service. */
  durable: string;
  /** Messages this process handles at once. */
  concurrency: number;
  /** Server-side cap on unacked messages over all replicas; default max(1000, concurrency). */
  maxAckPending?: number;
}

export interface ConsumerSpec extends ConsumerOptions {
  /** Logical pattern as written in @EventPattern, e.g. `task.created.import.events`. */
  pattern: string;
}

const logger = new Logger('ConsumerProvisioner');

/**
 * Creates the durable pull consumer of `spec` on the TASKS stream, or updates the settings that
 * may change (ack_wait, max_deliver, max_ack_pending). Idempotent; safe from several replicas.
 */
export async function ensureDurableConsumer(
  client: JetStreamClient,
  config: MessagingConfig,
  spec: ConsumerSpec,
): Promise<ConsumerInfo> {
  const stream = client.subjects.tasksStream;
  const wanted: Partial<ConsumerConfig> = {
    durable_name: spec.durable,
    // One filter subject: nats-server 2.9 has no filter_subjects.
    filter_subject: client.subjects.resolve(spec.pattern),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(config.ackWaitMs),
    max_deliver: config.maxDeliver,
    max_ack_pending: spec.maxAckPending ?? Math.max(1000, spec.concurrency),
  };
  let existing: ConsumerInfo | null = null;
  try {
    existing = await client.jsm.consumers.info(stream, spec.durable);
  } catch (err) {
    if (!isApiError(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
  }
  if (!existing) {
    // On 2.9 a create that races another replica's create updates instead of failing.
    const created = await client.jsm.consumers.add(stream, wanted);
    logger.log(`Created consumer ${spec.durable} on ${stream} (${wanted.filter_subject})`);
    return created;
  }
  if (existing.config.filter_subject !== wanted.filter_subject) {
    // 2.9 cannot change a filter in place, and deleting would lose the delivery state.
    throw new Error(
      `Consumer ${spec.durable} on ${stream} filters ${existing.config.filter_subject}, not ` +
        `${wanted.filter_subject}: delete it or choose another durable name`,
    );
  }
  if (
    existing.config.ack_wait === wanted.ack_wait &&
    existing.config.max_deliver === wanted.max_deliver &&
    existing.config.max_ack_pending === wanted.max_ack_pending
  ) {
    return existing;
  }
  const updated = await client.jsm.consumers.update(stream, spec.durable, {
    ack_wait: wanted.ack_wait,
    max_deliver: wanted.max_deliver,
    max_ack_pending: wanted.max_ack_pending,
  });
  logger.log(`Updated consumer ${spec.durable} on ${stream}`);
  return updated;
}
