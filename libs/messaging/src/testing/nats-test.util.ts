import { randomBytes } from 'node:crypto';

import type { JetStreamClient } from '../jetstream.client';

export const NATS_URL = process.env['FERRY_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** A prefix no other test run uses, so streams and consumers never collide. */
export function randomPrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Deletes both streams of the client's prefix (their consumers go with them). */
export async function deleteStreams(client: JetStreamClient): Promise<void> {
  for (const name of [client.subjects.tasksStream, client.subjects.dlqStream]) {
    await client.jsm.streams.delete(name).catch(() => undefined);
  }
}
