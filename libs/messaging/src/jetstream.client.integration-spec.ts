import { RetentionPolicy, StorageType } from '@nats-io/jetstream';

import { JetStreamClient } from './jetstream.client';
import { defaultMessagingConfig } from './messaging.config';
import { deleteStreams, NATS_URL, randomPrefix } from './testing/nats-test.util';

const MS = 1_000_000; // nanoseconds per millisecond

describe('JetStreamClient (real NATS)', () => {
  const config = defaultMessagingConfig({
    servers: NATS_URL,
    prefix: randomPrefix(),
    name: 'messaging-client-spec',
    streamMaxAgeMs: 60 * 60 * 1000,
    duplicateWindowMs: 60 * 1000,
  });
  let client: JetStreamClient;

  beforeAll(async () => {
    client = await JetStreamClient.connect(config);
  });

  afterAll(async () => {
    await deleteStreams(client);
    await client.close();
  });

  it('creates the TASKS and DLQ streams idempotently', async () => {
    await client.ensureStreams(); // second call: connect() already made them
    await client.ensureStreams();

    const tasks = await client.jsm.streams.info(client.subjects.tasksStream);
    expect(tasks.config.subjects).toEqual([`${config.prefix}.task.>`]);
    expect(tasks.config.retention).toBe(RetentionPolicy.Limits);
    expect(tasks.config.storage).toBe(StorageType.File);
    expect(tasks.config.max_age).toBe(60 * 60 * 1000 * MS);
    expect(tasks.config.duplicate_window).toBe(60 * 1000 * MS);

    const dlq = await client.jsm.streams.info(client.subjects.dlqStream);
    expect(dlq.config.subjects).toEqual([`${config.prefix}.dlq.>`]);
    expect(dlq.config.storage).toBe(StorageType.File);
  });

  it('brings a changed stream setting up to date', async () => {
    await client.jsm.streams.update(client.subjects.tasksStream, { max_age: 120 * 60 * 1000 * MS });
    await client.ensureStreams();
    const tasks = await client.jsm.streams.info(client.subjects.tasksStream);
    expect(tasks.config.max_age).toBe(60 * 60 * 1000 * MS);
  });

  it('stores one message when the same msgID is published twice', async () => {
    const subject = client.subjects.resolve('task.created.import.events');
    const first = await client.publish(subject, { task_id: 'a' }, { msgID: 'task-a' });
    const second = await client.publish(subject, { task_id: 'a' }, { msgID: 'task-a' });
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ seq: first.seq, duplicate: true });

    const info = await client.jsm.streams.info(client.subjects.tasksStream, {
      subjects_filter: subject,
    });
    expect(info.state.subjects?.[subject]).toBe(1);
    const stored = await client.jsm.streams.getMessage(client.subjects.tasksStream, {
      seq: first.seq,
    });
    expect(stored?.json()).toEqual({ task_id: 'a' });
  });

  it('sends headers with the message', async () => {
    const subject = client.subjects.taskStatus('t-1');
    const { seq } = await client.publish(
      subject,
      { kind: 'started' },
      { msgID: 't-1:1', headers: { traceparent: '00-abc-def-01' } },
    );
    const stored = await client.jsm.streams.getMessage(client.subjects.tasksStream, { seq });
    expect(stored?.header.get('traceparent')).toBe('00-abc-def-01');
    expect(stored?.subject).toBe(`${config.prefix}.task.status.t-1`);
  });

  it('reports the connection state', () => {
    expect(client.isConnected()).toBe(true);
  });
});
