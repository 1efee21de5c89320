import { ensureDurableConsumer } from './consumer.provisioner';
import { JetStreamClient } from './jetstream.client';
import { defaultMessagingConfig } from './messaging.config';
import { nanos } from './nats.types';
import { deleteStreams, NATS_URL, randomPrefix } from './testing/nats-test.util';

describe('ensureDurableConsumer (real NATS)', () => {
  const config = defaultMessagingConfig({
    servers: NATS_URL,
    prefix: randomPrefix(),
    name: 'messaging-provisioner-spec',
    ackWaitMs: 2_000,
    maxDeliver: 3,
  });
  let client: JetStreamClient;

  beforeAll(async () => {
    client = await JetStreamClient.connect(config);
  });

  afterAll(async () => {
    await deleteStreams(client);
    await client.close();
  });

  it('creates the consumer once and updates changed settings in place', async () => {
    const spec = {
      pattern: 'task.created.export.events',
      durable: 'export-events',
      concurrency: 4,
    };
    const first = await ensureDurableConsumer(client, config, spec);
    const second = await ensureDurableConsumer(client, config, spec);
    expect(second.created).toEqual(first.created);
    expect(second.config).toMatchObject({
      filter_subject: client.subjects.resolve(spec.pattern),
      max_deliver: 3,
      ack_wait: nanos(2_000),
      max_ack_pending: 1000,
    });

    const changed = { ...config, maxDeliver: 7, ackWaitMs: 9_000 };
    await ensureDurableConsumer(client, changed, { ...spec, maxAckPending: 64 });
    const info = await client.jsm.consumers.info(client.subjects.tasksStream, 'export-events');
    expect(info.created).toEqual(first.created);
    expect(info.config).toMatchObject({
      max_deliver: 7,
      ack_wait: nanos(9_000),
      max_ack_pending: 64,
    });
  });

  it('refuses to reuse a durable name for another filter subject', async () => {
    const spec = { pattern: 'task.created.import.a', durable: 'shared', concurrency: 1 };
    await ensureDurableConsumer(client, config, spec);
    await expect(
      ensureDurableConsumer(client, config, { ...spec, pattern: 'task.created.import.b' }),
    ).rejects.toThrow(/filters .*task\.created\.import\.a/);
  });
});
