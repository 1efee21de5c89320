import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';

import { JetStreamClient } from './jetstream.client';
import { JetStreamServer } from './jetstream.server';
import { JetStreamExceptionFilter } from './jetstream-exception.filter';
import { defaultMessagingConfig } from './messaging.config';
import { waitFor } from './testing/nats-test.util';
import { PrivateNatsServer } from './testing/private-nats.server';

jest.setTimeout(40_000);

const PATTERN = 'task.created.import.events';
const received: unknown[] = [];

@Controller()
class ReconnectController {
  @EventPattern(PATTERN)
  async handle(@Payload() data: unknown): Promise<void> {
    received.push(data);
  }
}

@Module({ controllers: [ReconnectController] })
class ReconnectModule {}

// Needs its own nats-server process, because the test stops it (never the shared one).
const describeWithServer = PrivateNatsServer.available() ? describe : describe.skip;

describeWithServer('JetStream across a NATS restart (private nats-server)', () => {
  let nats: PrivateNatsServer;
  let client: JetStreamClient;
  let app: INestMicroservice;

  beforeAll(async () => {
    nats = await PrivateNatsServer.start();
    const config = defaultMessagingConfig({
      servers: nats.url,
      prefix: 'reconnect',
      name: 'messaging-reconnect-spec',
      reconnectTimeWaitMs: 200,
    });
    client = await JetStreamClient.connect(config);
    app = await NestFactory.createMicroservice(ReconnectModule, {
      strategy: new JetStreamServer({
        config,
        consumers: { [PATTERN]: { durable: 'events', concurrency: 2 } },
      }),
      logger: ['error'],
    });
    app.useGlobalFilters(new JetStreamExceptionFilter());
    await app.listen();
  });

  afterAll(async () => {
    await app?.close();
    await client?.close();
    await nats?.destroy();
  });

  it('rejects a publish while NATS is down within timeoutMs, then resumes consuming', async () => {
    const subject = client.subjects.resolve(PATTERN);
    await client.publish(subject, { n: 1 }, { msgID: 'n-1' });
    await waitFor(() => received.length === 1, 10_000, 'first message');

    await nats.stop();
    await waitFor(() => !client.isConnected(), 5_000, 'client to notice the outage');
    const started = Date.now();
    await expect(
      client.publish(subject, { n: 2 }, { msgID: 'n-2', timeoutMs: 1_000 }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2_000);

    await nats.restart();
    await waitFor(() => client.isConnected(), 10_000, 'client to reconnect');
    // Published after the restart: the consumer's pull loop must have come back by itself.
    await waitFor(
      () =>
        client.publish(subject, { n: 3 }, { msgID: 'n-3', timeoutMs: 2_000 }).catch(() => false),
      10_000,
      'publish after restart',
    );
    await waitFor(
      () => received.some((d) => (d as { n: number }).n === 3),
      20_000,
      'message published after the restart',
    );
  });
});
