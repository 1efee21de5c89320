import { Body, Controller, INestApplication, Post } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { Test } from '@nestjs/testing';

import type { AddressInfo } from 'net';

import { Permission } from '@ferry/contracts';
import { ApiKeyRepository, generateApiKey, provisionCredentials } from '@ferry/persistence';
import { createTestDatabase, TestDatabase } from '@ferry/persistence/testing';

import { ApiKeyGuard } from '../auth/api-key.guard';
import { RequirePermission } from '../auth/principal';
import { ErrorBodyFilter } from '../errors/error-body.filter';
import { GatewayConfig } from '../gateway.config';
import { BodyErrorInterceptor, deferredBodyParsers, MAX_BODY_DEPTH } from './deferred-body';

@Controller('echo')
class EchoController {
  @Post()
  @RequirePermission(Permission.TASK_WRITE)
  echo(@Body() body: unknown) {
    return { got: body };
  }
}

describe('body errors wait for the API key check', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let writer: string;
  let reader: string;

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_gw_body');
    writer = (await provisionCredentials(db.ds)).apiKey;
    reader = (await provisionCredentials(db.ds, { permissions: [Permission.TASK_READ] })).apiKey;
    const moduleRef = await Test.createTestingModule({
      controllers: [EchoController],
      providers: [
        { provide: ApiKeyRepository, useValue: new ApiKeyRepository(db.ds) },
        { provide: GatewayConfig, useValue: new GatewayConfig() },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ErrorBodyFilter },
        { provide: APP_INTERCEPTOR, useClass: BodyErrorInterceptor },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false, bodyParser: false });
    app.use(deferredBodyParsers(() => false));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  async function post(body: string, key?: string, type = 'application/json') {
    const res = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': type, ...(key === undefined ? {} : { 'x-api-key': key }) },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const MALFORMED = '{"task_type": ';
  /** `{"metadata":{"a":{"a":…}}}`, the metadata `levels` deep. */
  const deep = (levels: number) =>
    `{"metadata":${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}}`;
  const TOO_LARGE = JSON.stringify({ pad: 'x'.repeat(200 * 1024) }); // over the 100 KB JSON limit

  it.each([
    ['malformed JSON', MALFORMED],
    ['a JSON body over the limit', TOO_LARGE],
  ])('answers %s without a key, or with an unknown one, with 401', async (_what, body) => {
    for (const key of [undefined, generateApiKey()]) {
      const a = await post(body, key);
      expect(a.status).toBe(401);
      expect(a.body).toMatchObject({ code: 'permission_denied', http_status_code: 401 });
    }
  });

  it('answers a key without the permission with 403, whatever the body', async () => {
    expect((await post(MALFORMED, reader)).status).toBe(403);
    expect((await post(TOO_LARGE, reader)).status).toBe(403);
  });

  it('answers the body error itself once the key may call the route', async () => {
    const bad = await post(MALFORMED, writer);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      code: 'validation_error',
      message: expect.stringMatching(/JSON/),
    });
    const big = await post(TOO_LARGE, writer);
    expect(big.status).toBe(413);
    expect(big.body['message']).toMatch(/too large/);
  });

  it('refuses a body nested deeper than MAX_BODY_DEPTH with a 400 naming where, after the key check', async () => {
    for (const body of [
      deep(5000),
      '['.repeat(45_000) + ']'.repeat(45_000),
      deep(MAX_BODY_DEPTH),
    ]) {
      expect((await post(body)).status).toBe(401);
      expect((await post(body, reader)).status).toBe(403);
      const a = await post(body, writer);
      expect(a.status).toBe(400);
      expect(a.body).toMatchObject({ code: 'validation_error', http_status_code: 400 });
      expect(a.body['message']).toMatch(
        /^The JSON body nests objects and arrays more than 32 levels deep \(at (metadata\.a\.a\.a\.a\.a…|\[0\]\[0\]\[0\]\[0\]\[0\]\[0\]…)\)$/,
      );
    }
    const deepest = JSON.parse(deep(MAX_BODY_DEPTH - 1)) as unknown;
    expect(await post(deep(MAX_BODY_DEPTH - 1), writer)).toEqual({
      status: 201,
      body: { got: deepest },
    });
  });

  it('still parses good JSON and form bodies', async () => {
    expect(await post('{"a":1}', writer)).toEqual({ status: 201, body: { got: { a: 1 } } });
    const form = await post('a=1&b=two', writer, 'application/x-www-form-urlencoded');
    expect(form).toEqual({ status: 201, body: { got: { a: '1', b: 'two' } } });
  });
});
