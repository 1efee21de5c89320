import { AckPolicy } from '@nats-io/jetstream';

import type { MessagingConfig } from './messaging.config';
import { nanos } from './nats.types';
import { sleep, waitFor } from './testing/nats-test.util';
import { P, ServerSpecHarness } from './testing/server-spec.harness';

jest.setTimeout(30_000);

describe('JetStreamServer: heartbeats, concurrency, crashes, shutdown (real NATS)', () => {
  const h = new ServerSpecHarness('messaging-lifecycle-spec');
  const { config } = h;

  beforeAll(async () => {
    await h.setup();
    await h.startApp({
      // Two slots: without heartbeats the idle one would get the expired message again.
      [P.slow]: { durable: 'slow', concurrency: 2 },
      [P.parallel]: { durable: 'parallel', concurrency: 3 },
    });
  });

  afterAll(() => h.teardown());

  it('keeps a handler that outlives ackWait from being redelivered (working() heartbeats)', async () => {
    h.behave(P.slow, () => sleep(config.ackWaitMs * 2 + 1000));
    const { seq } = await h.publish(P.slow, { task_id: 'slow-1' }, 'slow-1');
    await waitFor(() => h.callsOf(P.slow).length === 1, 5_000, 'slow handler start');
    const info = await h.settled('slow', seq);
    expect(h.callsOf(P.slow).map((c) => c.deliveryCount)).toEqual([1]);
    expect(info.num_redelivered).toBe(0);
    expect(info.delivered.consumer_seq).toBe(1);
  });

  it('processes up to `concurrency` messages at once, never more', async () => {
    let active = 0;
    let peak = 0;
    h.behave(P.parallel, async () => {
      active++;
      peak = Math.max(peak, active);
      await sleep(400);
      active--;
    });
    let last = 0;
    for (let i = 0; i < 7; i++) last = (await h.publish(P.parallel, { i }, `parallel-${i}`)).seq;
    await h.settled('parallel', last);
    expect(h.callsOf(P.parallel)).toHaveLength(7);
    expect(peak).toBe(3);
    expect((await h.consumerInfo('parallel')).config.max_ack_pending).toBeGreaterThanOrEqual(3);
  });

  it('dead-letters a message whose worker died on every delivery (MAX_DELIVERIES advisory)', async () => {
    // A consumer that a "dying worker" pulls from without ever settling the message.
    const crashConfig: MessagingConfig = { ...config, maxDeliver: 2 };
    const stream = h.client.subjects.tasksStream;
    await h.client.jsm.consumers.add(stream, {
      durable_name: 'crash',
      filter_subject: h.resolve(P.crash),
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(crashConfig.ackWaitMs),
      max_deliver: crashConfig.maxDeliver,
    });
    const subject = h.resolve(P.crash);
    const { seq } = await h.publish(P.crash, { task_id: 'crash-1' }, 'crash-1');
    const consumer = await h.client.js.consumers.get(stream, 'crash');
    for (let delivery = 1; delivery <= crashConfig.maxDeliver; delivery++) {
      const msg = await consumer.next({ expires: 5_000 });
      expect(msg?.info.deliveryCount).toBe(delivery);
      await sleep(crashConfig.ackWaitMs + 200); // the worker "dies": no ack, no heartbeat
    }

    // A healthy replica starts; its first pull makes the server give up on the message.
    const crashApp = await h.startApp(
      { [P.crash]: { durable: 'crash', concurrency: 1 } },
      { config: crashConfig },
    );
    const dl = await h.deadLetterOf(seq);
    expect(dl).toMatchObject({ subject, data: { task_id: 'crash-1' }, deliveries: 2 });
    expect(h.callsOf(P.crash)).toEqual([]);
    const stored = await h.dlqMessage(subject);
    expect(stored?.header.get('Ferry-Deliveries')).toBe('2');
    expect(stored?.header.get('Ferry-Original-Subject')).toBe(subject);
    expect(stored?.header.get('Ferry-Error')).toMatch(/No outcome after 2 deliveries/);
    await crashApp.close();
    expect(h.deadLetters.filter((d) => d.streamSeq === seq)).toHaveLength(1);
  });

  it('on close, lets handlers finish within the grace period and aborts the rest', async () => {
    const signals: AbortSignal[] = [];
    h.behave(P.shutdown, async (data, ctx) => {
      signals.push(ctx.signal);
      if ((data as { kind: string }).kind === 'quick') return sleep(200);
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      throw new Error('aborted by shutdown');
    });
    const shutdownApp = await h.startApp(
      { [P.shutdown]: { durable: 'shutdown', concurrency: 2 } },
      { shutdownTimeoutMs: 600 },
    );
    const quick = await h.publish(P.shutdown, { kind: 'quick' }, 'shutdown-quick');
    const stuck = await h.publish(P.shutdown, { kind: 'stuck' }, 'shutdown-stuck');
    await waitFor(() => h.callsOf(P.shutdown).length === 2, 5_000, 'both handlers to start');

    const started = Date.now();
    await shutdownApp.close();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(550);
    expect(took).toBeLessThan(3_000);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    expect(h.deadLetters.find((d) => d.streamSeq === stuck.seq)).toBeUndefined();

    // The quick one was acked before the connection drained; the stuck one was handed back.
    const info = await h.consumerInfo('shutdown');
    expect(info.ack_floor.stream_seq).toBeGreaterThanOrEqual(quick.seq);
    const consumer = await h.client.js.consumers.get(h.client.subjects.tasksStream, 'shutdown');
    const again = await consumer.next({ expires: 5_000 });
    expect(again?.info.streamSequence).toBe(stuck.seq);
    expect(again?.info.deliveryCount).toBe(2);
    await again?.ackAck();
  });
});
