import {
  BadGatewayException,
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  INestApplication,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
  Post,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';

import type { AddressInfo } from 'net';

import { ErrorCode, FerryError } from '@ferry/contracts';

import { CreateTaskDto } from '../tasks/create-task.dto';
import { ErrorBodyFilter } from './error-body.filter';
import { createValidationPipe } from './validation.pipe';

const SECRET = 'password=hunter2@10.0.0.5:5432';

/** Routes that fail the way the gateway's real routes, Nest and Express can fail. */
@Controller('probe')
class ProbeController {
  @Get('ferry-not-found')
  ferryNotFound() {
    throw FerryError.notFound('Task', 'task_missing');
  }

  @Get('ferry-unauthenticated')
  ferryUnauthenticated() {
    throw FerryError.unauthenticated('The x-api-key header is missing');
  }

  @Get('ferry-conflict')
  ferryConflict() {
    throw new FerryError(ErrorCode.ALREADY_EXISTS, 'Key used with another body', {
      task_id: 'task_1',
    });
  }

  @Get('ferry-transient')
  async ferryTransient() {
    await Promise.resolve();
    throw FerryError.transient('The database is not answering');
  }

  @Get('nest-not-found')
  nestNotFound() {
    throw new NotFoundException('Nothing here');
  }

  @Get('nest-too-large')
  nestTooLarge() {
    throw new PayloadTooLargeException();
  }

  @Get('nest-bad-gateway')
  nestBadGateway() {
    throw new BadGatewayException('upstream said no');
  }

  @Get('nest-unavailable')
  nestUnavailable() {
    // The shape HealthController uses for /health/ready.
    throw new HttpException(
      { code: 'service_unavailable', message: 'Not ready: nats not ready' },
      503,
    );
  }

  @Get('crash')
  crash() {
    throw new Error(`connect ECONNREFUSED ${SECRET}`);
  }

  @Get('crash-async')
  async crashAsync() {
    await Promise.resolve();
    throw new TypeError(`Cannot read properties of undefined (reading '${SECRET}')`);
  }

  @Get('crash-non-error')
  crashNonError() {
    throw SECRET;
  }

  @Post('tasks')
  @HttpCode(202)
  create(@Body() dto: CreateTaskDto) {
    return dto;
  }
}

interface Answer {
  status: number;
  contentType: string | null;
  text: string;
  body: Record<string, unknown>;
}

describe('ErrorBodyFilter (every error in the one body shape)', () => {
  let app: INestApplication;
  let base: string;
  let logged: jest.SpyInstance;

  async function call(path: string, init?: RequestInit): Promise<Answer> {
    const res = await fetch(`${base}${path}`, init);
    const text = await res.text();
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      text,
      body: JSON.parse(text) as Record<string, unknown>,
    };
  }

  const postJson = (path: string, raw: string) =>
    call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });

  function expectErrorBody(a: Answer, code: string, status: number): void {
    expect(a.status).toBe(status);
    expect(a.contentType).toMatch(/^application\/json/);
    expect(Object.keys(a.body).sort()).toEqual([
      'code',
      'details',
      'error',
      'http_status_code',
      'message',
      'success',
    ]);
    expect(a.body['code']).toBe(code);
    // Flexprice's envelope, which its SDK needs to read the error.
    expect(a.body['success']).toBe(false);
    expect(a.body['error']).toEqual({ message: a.body['message'], internal_error: code });
    expect(a.body['http_status_code']).toBe(status);
    expect(typeof a.body['message']).toBe('string');
    expect((a.body['message'] as string).length).toBeGreaterThan(0);
    expect(a.body['details']).toEqual(expect.any(Object));
  }

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ProbeController],
      providers: [{ provide: APP_FILTER, useClass: ErrorBodyFilter }],
    }).compile();
    // Wired like main.ts: the filter comes from the module, the pipe is global.
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalPipes(createValidationPipe());
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(() => {
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    logged.mockRestore();
  });

  describe('FerryError', () => {
    it('answers with its own code, message, status and details', async () => {
      const a = await call('/probe/ferry-not-found');
      expect(a.status).toBe(404);
      expect(a.body).toMatchObject({
        code: 'not_found',
        message: 'Task task_missing was not found',
        http_status_code: 404,
        details: { id: 'task_missing' },
      });
    });

    it('keeps an overridden status (401 for a missing key)', async () => {
      const a = await call('/probe/ferry-unauthenticated');
      expect(a.body).toMatchObject({
        code: 'permission_denied',
        message: 'The x-api-key header is missing',
        http_status_code: 401,
        details: {},
      });
      expect(a.status).toBe(401);
    });

    it.each([
      ['/probe/ferry-conflict', 'already_exists', 409],
      ['/probe/ferry-transient', 'service_unavailable', 503],
    ])('maps %s to %s %i', async (path, code, status) => {
      expectErrorBody(await call(path), code, status);
    });
  });

  describe("Nest's HttpExceptions", () => {
    it('answers an unknown route with 404 not_found', async () => {
      const a = await call('/v1/no-such-route');
      expectErrorBody(a, 'not_found', 404);
      expect(a.body['message']).toBe('Cannot GET /v1/no-such-route');
      expect(a.body['details']).toEqual({});
    });

    it('answers an unknown method on a known path with 404 not_found', async () => {
      expectErrorBody(await call('/probe/tasks', { method: 'DELETE' }), 'not_found', 404);
    });

    it.each([
      ['/probe/nest-not-found', 'not_found', 404, 'Nothing here'],
      ['/probe/nest-too-large', 'invalid_operation', 413, 'Payload Too Large'],
      ['/probe/nest-bad-gateway', 'internal_error', 502, 'upstream said no'],
      ['/probe/nest-unavailable', 'service_unavailable', 503, 'Not ready: nats not ready'],
    ])('maps %s to %s %i with its message', async (path, code, status, message) => {
      const a = await call(path);
      expectErrorBody(a, code, status);
      expect(a.body['message']).toBe(message);
    });
  });

  describe('request bodies', () => {
    it('answers malformed JSON with 400 validation_error', async () => {
      const a = await postJson('/probe/tasks', '{"task_type": "IMPORT",');
      expectErrorBody(a, 'validation_error', 400);
    });

    it('answers a body over the size limit with 413, not 500', async () => {
      const big = JSON.stringify({ task_type: 'IMPORT', metadata: { pad: 'x'.repeat(2_000_000) } });
      const a = await postJson('/probe/tasks', big);
      expectErrorBody(a, a.body['code'] as string, 413);
      expect(Object.values(ErrorCode)).toContain(a.body['code']);
      expect(a.body['code']).not.toBe('internal_error');
      expect(logged).not.toHaveBeenCalled();
    });

    it('answers a body that fails validation with 400 validation_error naming each field', async () => {
      const a = await postJson(
        '/probe/tasks',
        JSON.stringify({
          task_type: 'SYNC',
          entity_type: 'EVENTS',
          file_type: 'CSV',
          file_url: 'ftp://x/y',
        }),
      );
      expectErrorBody(a, 'validation_error', 400);
      const fields = (a.body['details'] as { fields: Record<string, string[]> }).fields;
      expect(Object.keys(fields).sort()).toEqual(['file_url', 'task_type']);
    });

    it('lets a valid body through', async () => {
      const dto = {
        task_type: 'IMPORT',
        entity_type: 'EVENTS',
        file_type: 'CSV',
        file_url: 's3://b/k.csv',
      };
      const a = await postJson('/probe/tasks', JSON.stringify(dto));
      expect(a.status).toBe(202);
      expect(a.body).toEqual(dto);
    });
  });

  describe('unknown errors', () => {
    it.each(['/probe/crash', '/probe/crash-async', '/probe/crash-non-error'])(
      'answers %s with 500 internal_error, leaks nothing, and logs the cause',
      async (path) => {
        const a = await call(path);
        expect(a.status).toBe(500);
        expect(a.body).toMatchObject({
          code: 'internal_error',
          message: 'An internal error occurred; it has been logged',
          http_status_code: 500,
          details: {},
        });
        expect(a.text).not.toContain('hunter2');
        expect(a.text).not.toContain('ECONNREFUSED');
        expect(a.text).not.toContain('Cannot read');
        expect(logged).toHaveBeenCalledTimes(1);
        expect(String(logged.mock.calls[0][0])).toContain('hunter2');
      },
    );

    it('does not log client errors as server errors', async () => {
      await call('/probe/ferry-not-found');
      await call('/v1/no-such-route');
      expect(logged).not.toHaveBeenCalled();
    });
  });
});
