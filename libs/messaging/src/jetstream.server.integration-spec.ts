import { AckPolicy } from '@nats-io/jetstream';

import { FerryError } from '@ferry/contracts';

import { nanos } from './nats.types';
import { sleep } from './testing/nats-test.util';
import { P, ServerSpecHarness } from './testing/server-spec.harness';

jest.setTimeout(30_000);

describe('JetStreamServer: delivery outcomes (real NATS, Nest microservice)', () => {
  const h = new ServerSpecHarness('messaging-server-spec');
  const { config } = h;

  beforeAll(async () => {
    await h.setup();
    const one = { concurrency: 1 };
    await h.startApp({
      [P.events]: { durable: 'events', ...one },
      [P.status]: { durable: 'status', ...one },
      [P.retry]: { durable: 'retry', ...one },
      [P.poison]: { durable: 'poison', ...one },
      [P.fatal]: { durable: 'fatal', ...one },
    });
  });

  afterAll(() => h.teardown());

  it('creates durable pull consumers with one filter subject each', async () => {
    const info = await h.consumerInfo('events');
    expect(info.config.filter_subject).toBe(`${config.prefix}.task.created.import.events`);
    expect(info.config.ack_policy).toBe(AckPolicy.Explicit);
    expect(info.config.max_deliver).toBe(3);
    expect(info.config.ack_wait).toBe(nanos(1500));
    expect(info.config.deliver_subject).toBeUndefined();
    const status = await h.consumerInfo('status');
    expect(status.config.filter_subject).toBe(`${config.prefix}.task.status.>`);
  });

  it('delivers a published message to the @EventPattern handler and acks it', async () => {
    const subject = h.resolve(P.events);
    const { seq } = await h.client.publish(
      subject,
      { task_id: 'ok-1' },
      { msgID: 'ok-1', headers: { traceparent: 'tp-1' } },
    );
    const info = await h.settled('events', seq);
    expect(info.num_redelivered).toBe(0);
    expect(info.delivered.consumer_seq).toBe(1);
    expect(h.callsOf(P.events)).toEqual([
      {
        pattern: P.events,
        data: { task_id: 'ok-1' },
        deliveryCount: 1,
        isLastDelivery: false,
        subject,
        headers: expect.objectContaining({ traceparent: 'tp-1' }),
      },
    ]);
  });

  it('serves a wildcard pattern (task.status.>)', async () => {
    const { seq } = await h.client.publish(
      h.client.subjects.taskStatus('task-9'),
      { kind: 'started', seq: 1 },
      { msgID: 'task-9:1' },
    );
    await h.settled('status', seq);
    const subjects = h.callsOf(P.status).map((c) => c.subject);
    expect(subjects).toEqual([`${config.prefix}.task.status.task-9`]);
  });

  it('redelivers after a retryable error and acks on the 2nd delivery', async () => {
    h.behave(P.retry, async (_data, ctx) => {
      if (ctx.deliveryCount === 1) throw FerryError.transient('database is down');
    });
    const { seq } = await h.publish(P.retry, { task_id: 'retry-1' }, 'retry-1');
    await h.settled('retry', seq);
    expect(h.callsOf(P.retry).map((c) => c.deliveryCount)).toEqual([1, 2]);
    expect(h.deadLetters.filter((d) => d.streamSeq === seq)).toEqual([]);
  });

  it('dead-letters a message that always fails after exactly maxDeliver deliveries', async () => {
    h.behave(P.poison, async () => {
      throw new Error('boom\r\nsecond line');
    });
    const subject = h.resolve(P.poison);
    const { seq } = await h.client.publish(
      subject,
      { task_id: 'poison-1' },
      { msgID: 'poison-1', headers: { traceparent: 'tp-poison' } },
    );
    await h.deadLetterOf(seq);
    await h.settled('poison', seq);
    await sleep(config.ackWaitMs + 300); // nothing comes back after a term

    const poisonCalls = h.callsOf(P.poison);
    expect(poisonCalls.map((c) => [c.deliveryCount, c.isLastDelivery])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    const dl = h.deadLetters.filter((d) => d.streamSeq === seq);
    expect(dl).toHaveLength(1);
    expect(dl[0]).toMatchObject({ subject, data: { task_id: 'poison-1' }, deliveries: 3 });
    expect(dl[0].error.message).toBe('boom\r\nsecond line');

    const stored = await h.dlqMessage(subject);
    expect(stored?.subject).toBe(`${config.prefix}.dlq.task.created.import.poison`);
    expect(stored?.json()).toEqual({ task_id: 'poison-1' });
    expect(stored?.header.get('Ferry-Error')).toBe('boom second line');
    expect(stored?.header.get('Ferry-Deliveries')).toBe('3');
    expect(stored?.header.get('Ferry-Original-Subject')).toBe(subject);
    expect(stored?.header.get('traceparent')).toBe('tp-poison');
    expect((await h.consumerInfo('poison')).num_redelivered).toBe(0);
  });

  it('dead-letters a non-retryable FerryError on the first delivery (error header <= 1 KB)', async () => {
    const longMessage = `invalid file: ${'é'.repeat(2000)}`;
    h.behave(P.fatal, async () => {
      throw FerryError.validation(longMessage);
    });
    const subject = h.resolve(P.fatal);
    const { seq } = await h.publish(P.fatal, { task_id: 'fatal-1' }, 'fatal-1');
    const dl = await h.deadLetterOf(seq);
    await h.settled('fatal', seq);

    expect(h.callsOf(P.fatal).map((c) => c.deliveryCount)).toEqual([1]);
    expect(dl.error).toBeInstanceOf(FerryError);
    expect(dl.deliveries).toBe(1);
    const stored = await h.dlqMessage(subject);
    const header = stored?.header.get('Ferry-Error') ?? '';
    expect(Buffer.byteLength(header, 'utf8')).toBeLessThanOrEqual(1024);
    expect(Buffer.byteLength(header, 'utf8')).toBeGreaterThan(1000);
    expect(longMessage.startsWith(header)).toBe(true);
    expect(stored?.header.get('Ferry-Deliveries')).toBe('1');
  });

  it('dead-letters a payload that is not JSON without calling the handler', async () => {
    const subject = h.resolve(P.fatal);
    const before = h.callsOf(P.fatal).length;
    const raw = new TextEncoder().encode('{not json');
    const { seq } = await h.client.publishRaw(subject, raw, { msgID: 'raw-1' });
    const dl = await h.deadLetterOf(seq);
    await h.settled('fatal', seq);
    expect(h.callsOf(P.fatal)).toHaveLength(before);
    expect(dl.data).toBe('{not json');
    expect(dl.error.message).toMatch(/not valid JSON/);
    expect((await h.dlqMessage(subject))?.string()).toBe('{not json');
  });
});
