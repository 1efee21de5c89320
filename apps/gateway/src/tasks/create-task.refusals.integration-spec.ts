import { type INestApplication } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { Test } from '@nestjs/testing';

import type { AddressInfo } from 'net';

import { Subjects } from '@ferry/contracts';
import {
  ApiKeyRepository,
  ConnectionRepository,
  provisionCredentials,
  TaskRepository,
  UploadRepository,
} from '@ferry/persistence';
import { createTestDatabase, type TestDatabase } from '@ferry/persistence/testing';

import { ApiKeyGuard } from '../auth/api-key.guard';
import { type OutboxEntry, OutboxRelay } from '../delivery/outbox.relay';
import { ErrorBodyFilter } from '../errors/error-body.filter';
import { createValidationPipe } from '../errors/validation.pipe';
import { GatewayConfig } from '../gateway.config';
import { BodyErrorInterceptor, deferredBodyParsers } from '../http/deferred-body';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';

const EXPORT = {
  task_type: 'EXPORT',
  entity_type: 'EVENTS',
  file_type: 'CSV',
  file_url: 'store://exports/',
};
const IMPORT = { ...EXPORT, task_type: 'IMPORT', file_url: 'store://uploads/u1/events.csv' };

/** The parts of an answer the refusals look at (an error body; a 202's task has `id`). */
interface Answer {
  code?: string;
  message?: string;
  http_status_code?: number;
  details: { fields?: Record<string, string[]> };
}

/** `{"a":{"a":…{}}}`, `levels` objects deep. */
function nested(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let at = root;
  for (let i = 1; i < levels; i++) at = at['a'] = {};
  return root;
}

/**
 * What a worker would refuse without reading the file is refused by POST /v1/tasks at once, as a
 * 400 with a sentence naming the field and value, and nothing is created (docs/API.md §1). Wired
 * as main.ts wires the gateway (deferred body parsers, the global pipe), on a real database.
 */
describe('POST /v1/tasks refuses at once what a worker would refuse', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let apiKey: string;
  const published: OutboxEntry[] = [];

  const counts = async () => {
    const [row] = (await db.ds.query(
      'SELECT (SELECT count(*) FROM tasks)::int AS tasks, (SELECT count(*) FROM outbox)::int AS outbox',
    )) as Array<{ tasks: number; outbox: number }>;
    return row;
  };

  async function post(body: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${base}/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Answer };
  }

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_gw_refuse');
    apiKey = (await provisionCredentials(db.ds)).apiKey;
    const relay: Pick<OutboxRelay, 'publishSoon'> = { publishSoon: (m) => void published.push(m) };
    const moduleRef = await Test.createTestingModule({
      controllers: [TasksController],
      providers: [
        { provide: ApiKeyRepository, useValue: new ApiKeyRepository(db.ds) },
        { provide: TaskRepository, useValue: new TaskRepository(db.ds) },
        { provide: ConnectionRepository, useValue: new ConnectionRepository(db.ds, null) },
        { provide: UploadRepository, useValue: new UploadRepository(db.ds) },
        { provide: OutboxRelay, useValue: relay },
        { provide: Subjects, useValue: new Subjects('trefuse') },
        { provide: GatewayConfig, useValue: new GatewayConfig() },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ErrorBodyFilter },
        { provide: APP_INTERCEPTOR, useClass: BodyErrorInterceptor },
        TasksService,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false, bodyParser: false });
    app.use(deferredBodyParsers(() => false));
    app.useGlobalPipes(createValidationPipe());
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('accepts an export with every selection option, and an import with max_errors', async () => {
    const before = await counts();
    const exp = await post({
      ...EXPORT,
      metadata: {
        start_time: '2026-01-01T00:00:00+02:00',
        end_time: '2026-02-01T00:00:00Z',
        event_name: 'api_call',
        external_customer_id: 'cust_1',
        compression: 'gzip',
        note: { free: ['keys', 'stay'] },
      },
    });
    expect(exp.status).toBe(202);
    const imp = await post({ ...IMPORT, metadata: { max_errors: '0' } });
    expect(imp.status).toBe(202);
    expect(await counts()).toEqual({ tasks: before.tasks + 2, outbox: before.outbox + 2 });
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      'an export with a bad start_time',
      { ...EXPORT, metadata: { start_time: 'yesterday' } },
      'metadata.start_time',
      /^metadata\.start_time "yesterday" is not an RFC 3339 time/,
    ],
    [
      'an export whose start is after its end',
      {
        ...EXPORT,
        metadata: { start_time: '2026-02-01T00:00:00Z', end_time: '2026-01-01T00:00:00Z' },
      },
      'metadata.start_time',
      /^metadata\.start_time "2026-02-01T00:00:00Z" must not be after metadata\.end_time/,
    ],
    [
      'an export with an unknown compression',
      { ...EXPORT, metadata: { compression: 'zip' } },
      'metadata.compression',
      /^metadata\.compression "zip" is not supported; use "gzip" or leave it out$/,
    ],
    [
      'a filter the entity type does not take',
      { ...EXPORT, entity_type: 'PRICES', metadata: { event_name: 'api_call' } },
      'metadata.event_name',
      /^metadata\.event_name does not apply to an export of PRICES$/,
    ],
    [
      'an import with a max_errors that is not a whole number',
      { ...IMPORT, metadata: { max_errors: 'lots' } },
      'metadata.max_errors',
      /^metadata\.max_errors must be a whole number of 0 or more, not "lots"$/,
    ],
    [
      'an import with a negative max_errors',
      { ...IMPORT, metadata: { max_errors: -1 } },
      'metadata.max_errors',
      /, not -1$/,
    ],
    [
      'a store bucket that is not configured',
      { ...EXPORT, file_url: 'store://elsewhere/' },
      'file_url',
      /^store:\/\/elsewhere\/ is not a bucket of the built-in store; use one of store:\/\/exports\/, store:\/\/uploads\/$/,
    ],
    [
      'a store key with ..',
      { ...IMPORT, file_url: 'store://uploads/../other-env/x.csv' },
      'file_url',
      /^the key of store:\/\/uploads\/\.\.\/other-env\/x\.csv may not contain \.\.$/,
    ],
    [
      'an s3 key with ..',
      { ...EXPORT, file_url: 's3://bucket/a/../../b.csv' },
      'file_url',
      /may not contain \.\.$/,
    ],
    [
      'an import of a store folder',
      { ...IMPORT, file_url: 'store://uploads/' },
      'file_url',
      /^file_url store:\/\/uploads\/ names a folder, not a file$/,
    ],
    [
      'metadata 17 levels deep',
      { ...IMPORT, metadata: nested(17) },
      'metadata',
      /^metadata nests objects and arrays more than 16 levels deep \(at metadata\.a\.a\.a\.a\.a\.a…\)$/,
    ],
    [
      'metadata of 5,000 keys',
      {
        ...IMPORT,
        metadata: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 1])),
      },
      'metadata',
      /^metadata holds 5000 entries; an object or array in metadata may hold at most 100$/,
    ],
    [
      'metadata over 16 KiB as JSON',
      { ...IMPORT, metadata: { note: 'x'.repeat(20_000) } },
      'metadata',
      /^metadata is 20011 characters of JSON; it may be at most 16384$/,
    ],
  ])(
    'refuses %s: 400 naming %s, no task and no outbox row',
    async (_name, body, field, message) => {
      const before = await counts();
      for (const headers of [{}, { 'idempotency-key': `refused-${field}` }] as Array<
        Record<string, string>
      >) {
        const a = await post(body, headers);
        expect(a.status).toBe(400);
        expect(a.body).toMatchObject({ code: 'validation_error', http_status_code: 400 });
        expect(a.body.message).toMatch(message);
        expect(a.body.details.fields).toEqual({ [field]: [a.body.message] });
      }
      expect(await counts()).toEqual(before);
    },
  );

  it('refuses metadata nested 5,000 levels deep with a 400, not a stack overflow', async () => {
    const before = await counts();
    const body = `{"task_type":"IMPORT","entity_type":"EVENTS","file_type":"CSV","file_url":"store://uploads/a.csv","metadata":${'{"a":'.repeat(5000)}{}${'}'.repeat(5000)}}`;
    for (const headers of [{}, { 'idempotency-key': 'deep' }] as Array<Record<string, string>>) {
      const a = await post(body, headers);
      expect(a.status).toBe(400);
      expect(a.body).toMatchObject({
        code: 'validation_error',
        message:
          'The JSON body nests objects and arrays more than 32 levels deep (at metadata.a.a.a.a.a…)',
      });
    }
    expect(await counts()).toEqual(before);
  });

  it('leaves the selection keys free on an import, and max_errors free on an export', async () => {
    const imp = await post({ ...IMPORT, metadata: { start_time: 'whenever', compression: 'zip' } });
    expect(imp.status).toBe(202);
    const exp = await post({ ...EXPORT, metadata: { max_errors: 'lots' } });
    expect(exp.status).toBe(202);
  });
});
