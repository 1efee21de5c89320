import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';

import type { AddressInfo } from 'net';

import { HealthController } from './health.controller';
import { HealthRegistry, HealthRegistryModule } from './health.registry';

describe('health and metrics routes', () => {
  let app: INestApplication;
  let base: string;
  let natsUp = true;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [HealthRegistryModule],
      controllers: [HealthController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    const registry = app.get(HealthRegistry);
    registry.register({ name: 'postgres', check: async () => true });
    registry.register({ name: 'nats', check: async () => natsUp });
    registry.register({
      name: 'consumers',
      check: async () => {
        throw new Error('not bound');
      },
    });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(() => app?.close());

  it('is live while the process answers', async () => {
    const res = await fetch(`${base}/health/live`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('is not ready (503) while any dependency is down, naming it', async () => {
    const res = await fetch(`${base}/health/ready`);
    expect(res.status).toBe(503);
    const body: any = await res.json();
    expect(body.error).toEqual({ consumers: { status: 'down' } });
    expect(body.info).toMatchObject({ postgres: { status: 'up' }, nats: { status: 'up' } });
  });

  it('reports a dependency that went down', async () => {
    natsUp = false;
    const body: any = await (await fetch(`${base}/health/ready`)).json();
    expect(Object.keys(body.error).sort()).toEqual(['consumers', 'nats']);
    natsUp = true;
  });

  it('serves Prometheus metrics without a key', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^# HELP ferry_process_cpu_seconds_total /m);
    expect(text).toMatch(/^# HELP ferry_nodejs_eventloop_lag_seconds /m);
    // One prefix per name: no ferry_process_process_… or ferry_ferry_….
    expect(text).not.toMatch(/^# HELP ferry_(process_process|ferry)_/m);
  });
});
