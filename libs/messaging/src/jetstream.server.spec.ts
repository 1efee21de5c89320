import { JetStreamServer } from './jetstream.server';
import { defaultMessagingConfig } from './messaging.config';

/** What `listen` reports: the error the start failed with, or undefined once serving. */
function listen(server: JetStreamServer): Promise<unknown> {
  return new Promise((resolve) => server.listen((err?: unknown) => resolve(err)));
}

describe('JetStreamServer start-up checks (before any connection)', () => {
  // Port 1 answers nothing: a server that got as far as connecting would fail differently.
  const config = defaultMessagingConfig({ servers: 'nats://127.0.0.1:1', name: 'server-spec' });

  it('refuses to start when a consumer has no handler, naming each such consumer', async () => {
    const server = new JetStreamServer({
      config,
      consumers: {
        'task.created.import.events': { durable: 'importer_events', concurrency: 1 },
        'task.created.import.prices': { durable: 'importer_prices', concurrency: 1 },
        'task.created.import.customers': { durable: 'importer_customers', concurrency: 1 },
      },
    });
    server.addHandler('task.created.import.events', async () => undefined, true);
    const err = await listen(server);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(
      "Cannot serve: consumer importer_prices has no handler for 'task.created.import.prices'; " +
        "consumer importer_customers has no handler for 'task.created.import.customers'",
    );
    expect(() => server.getClient()).toThrow('not listening');
    await server.close();
  });

  it('refuses a concurrency below one', async () => {
    const server = new JetStreamServer({
      config,
      consumers: { 'task.status.>': { durable: 'status', concurrency: 0 } },
    });
    server.addHandler('task.status.>', async () => undefined, true);
    const err = await listen(server);
    expect((err as Error).message).toBe(
      'Cannot serve: consumer status: concurrency must be an integer >= 1',
    );
    await server.close();
  });
});
