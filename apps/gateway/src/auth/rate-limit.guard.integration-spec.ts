import { Controller, Get, INestApplication } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';

import type { AddressInfo } from 'net';

import { Permission } from '@ferry/contracts';
import { ApiKeyRepository, provisionCredentials } from '@ferry/persistence';
import { createTestDatabase } from '@ferry/persistence/testing';

import { ErrorBodyFilter } from '../errors/error-body.filter';
import { GatewayConfig } from '../gateway.config';
import { ApiKeyGuard } from './api-key.guard';
import { RequirePermission } from './principal';

@Controller('ping')
class PingController {
  @Get()
  @RequirePermission(Permission.TASK_READ)
  ping() {
    return { ok: true };
  }
}

describe('per-key rate limit (429)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: INestApplication;
  let base: string;
  let busy: string;
  let quiet: string;

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_gw_rate');
    busy = (await provisionCredentials(db.ds)).apiKey;
    quiet = (await provisionCredentials(db.ds)).apiKey;
    const config = Object.assign(new GatewayConfig(), {
      FERRY_RATE_LIMIT_PER_MINUTE: 6,
      FERRY_RATE_LIMIT_BURST: 3,
    });
    const moduleRef = await Test.createTestingModule({
      controllers: [PingController],
      providers: [
        { provide: ApiKeyRepository, useValue: new ApiKeyRepository(db.ds) },
        { provide: GatewayConfig, useValue: config },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ErrorBodyFilter },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const ping = (key: string) => fetch(`${base}/ping`, { headers: { 'x-api-key': key } });

  it('answers 429 with Retry-After once a key used its burst, and spares other keys', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await ping(busy)).status);
    expect(statuses).toEqual([200, 200, 200]);

    const limited = await ping(busy);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({
      code: 'too_many_requests',
      http_status_code: 429,
      details: { retry_after_seconds: expect.any(Number) },
    });

    expect((await ping(quiet)).status).toBe(200);
  });
});
