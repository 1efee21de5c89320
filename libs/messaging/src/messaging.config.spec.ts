import { defaultMessagingConfig, serverList } from './messaging.config';

describe('defaultMessagingConfig', () => {
  it('fills the defaults', () => {
    expect(defaultMessagingConfig({ servers: 'nats://a:4222' })).toEqual({
      servers: 'nats://a:4222',
      prefix: '',
      name: 'ferry',
      ackWaitMs: 30_000,
      maxDeliver: 5,
      backoffMs: [1_000, 5_000, 15_000, 30_000],
      streamMaxAgeMs: 7 * 24 * 60 * 60 * 1000,
      duplicateWindowMs: 2 * 60 * 1000,
      streamReplicas: 1,
      reconnectTimeWaitMs: 2_000,
    });
  });

  it('keeps given values, ignoring undefined ones', () => {
    const cfg = defaultMessagingConfig({ servers: 'x', prefix: 'p1', maxDeliver: undefined });
    expect(cfg.prefix).toBe('p1');
    expect(cfg.maxDeliver).toBe(5);
  });

  it('lists every invalid value at once', () => {
    expect(() =>
      defaultMessagingConfig({ servers: ' ', ackWaitMs: 10, maxDeliver: 0, backoffMs: [-1] }),
    ).toThrow(/servers is empty; ackWaitMs.*; maxDeliver.*; backoffMs/);
  });

  it('splits comma-separated servers', () => {
    expect(serverList({ servers: 'nats://a:4222, nats://b:4222,' })).toEqual([
      'nats://a:4222',
      'nats://b:4222',
    ]);
  });
});
