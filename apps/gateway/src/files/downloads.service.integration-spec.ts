import { randomBytes } from 'crypto';
import { Readable } from 'stream';

import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { Request } from 'express';

import {
  EntityType,
  ErrorCode,
  FerryError,
  FileType,
  newId,
  Permission,
  TaskStatus,
  TaskType,
} from '@ferry/contracts';
import { ObjectStorages, StorageConfig, UrlSigner } from '@ferry/files';
import { TaskRepository, UploadRepository } from '@ferry/persistence';
import { createTestDatabase, type TestDatabase } from '@ferry/persistence/testing';

import type { Principal } from '../auth/principal';
import { GatewayConfig } from '../gateway.config';
import { DownloadsService } from './downloads.service';
import { UploadsService } from './uploads.service';

const NATS_URL = process.env['FERRY_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

async function caught(promise: Promise<unknown>): Promise<FerryError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof FerryError)) throw new Error(`expected a FerryError, got ${String(err)}`);
  return err;
}

/** A request whose body is `body` (what Express hands the upload route: the raw stream). */
function rawRequest(body: Buffer, headers: Record<string, string> = {}): Request {
  return Object.assign(Readable.from([body]), { headers }) as unknown as Request;
}

describe('DownloadsService and UploadsService (PostgreSQL, NATS object store)', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let storages: ObjectStorages;
  let downloads: DownloadsService;
  let uploads: UploadsService;
  const prefix = `gw${randomBytes(4).toString('hex')}`;
  const signer = new UrlSigner('a-test-secret-of-some-length');
  const config = Object.assign(new GatewayConfig(), {
    FERRY_NATS_PREFIX: prefix,
    FERRY_PUBLIC_URL: 'https://ferry.example.com/',
    FERRY_UPLOAD_MAX_BYTES: 1000,
  });
  const p: Principal = {
    keyId: newId('key'),
    tenantId: newId('tenant'),
    environmentId: newId('env'),
    userId: newId('user'),
    permissions: [Permission.TASK_READ, Permission.TASK_WRITE],
  };

  async function task(type: TaskType, status: TaskStatus, fileUrl: string): Promise<string> {
    const id = newId('task');
    await db.ds.query(
      `INSERT INTO tasks (id, tenant_id, environment_id, task_type, entity_type, file_type, file_url, task_status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, p.tenantId, p.environmentId, type, EntityType.EVENTS, FileType.CSV, fileUrl, status],
    );
    return id;
  }

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_gw_files');
    nc = await connect({ servers: NATS_URL });
    storages = ObjectStorages.fromConfig(
      Object.assign(new StorageConfig(), { FERRY_NATS_PREFIX: prefix }),
      nc,
      { nativeDigest: false }, // Jest's VM cannot run the library's dynamic import
    );
    downloads = new DownloadsService(new TaskRepository(db.ds), storages, signer, config);
    uploads = new UploadsService(storages, config, new UploadRepository(db.ds));
  });

  afterAll(async () => {
    const jsm = await jetstreamManager(nc);
    for (const b of ['exports', 'uploads']) {
      await jsm.streams.delete(`OBJ_${prefix}_${b}`).catch(() => false);
    }
    await nc.close();
    await db?.drop();
  });

  it('signs a link to a finished store export that the signer accepts, anew on each call', async () => {
    const key = `${p.environmentId}/out/a.csv`;
    await storages.store.put('exports', key, Readable.from([Buffer.from('h\n')]), {
      contentType: 'text/csv',
    });
    const id = await task(TaskType.EXPORT, TaskStatus.COMPLETED, 'store://exports/out/a.csv');
    const one = await downloads.downloadUrl(p, id);
    const two = await downloads.downloadUrl(p, id);
    expect(one.download_url).not.toBe(two.download_url);
    const url = new URL(one.download_url);
    expect(`${url.origin}${url.pathname}`).toBe('https://ferry.example.com/v1/files/exports');
    const q = url.searchParams;
    expect(q.get('key')).toBe(key);
    expect(
      signer.check(
        'exports',
        key,
        q.get('expires') ?? '',
        q.get('signature') ?? '',
        q.get('nonce') ?? '',
      ),
    ).toBeNull();
    const ttl = Date.parse(one.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(1790_000);
    expect(ttl).toBeLessThanOrEqual(1800_000);
  });

  it.each<[string, TaskType, TaskStatus, string, RegExp]>([
    ['an import', TaskType.IMPORT, TaskStatus.COMPLETED, 'store://uploads/x.csv', /is an import/],
    [
      'an export to a PUT URL',
      TaskType.EXPORT,
      TaskStatus.COMPLETED,
      'https://x.example/p',
      /URL you gave/,
    ],
  ])('refuses %s with 400 invalid_operation', async (_n, type, status, url, message) => {
    const err = await caught(downloads.downloadUrl(p, await task(type, status, url)));
    expect(err.code).toBe(ErrorCode.INVALID_OPERATION);
    expect(err.httpStatus).toBe(400);
    expect(err.message).toMatch(message);
  });

  it('answers 404 not_found for an export that has not finished, as Flexprice does', async () => {
    const id = await task(TaskType.EXPORT, TaskStatus.PROCESSING, 'store://exports/');
    const err = await caught(downloads.downloadUrl(p, id));
    expect(err.code).toBe(ErrorCode.NOT_FOUND);
    expect(err.httpStatus).toBe(404);
    expect(err.message).toMatch(/is PROCESSING/);
  });

  it('answers 404 for another environment’s task and for an export whose object is gone', async () => {
    const id = await task(TaskType.EXPORT, TaskStatus.COMPLETED, 'store://exports/gone.csv');
    expect(
      (await caught(downloads.downloadUrl({ ...p, environmentId: 'env_other' }, id))).code,
    ).toBe(ErrorCode.NOT_FOUND);
    expect((await caught(downloads.downloadUrl(p, id))).code).toBe(ErrorCode.NOT_FOUND);
  });

  it('stores a raw upload in the caller’s namespace under a safe name', async () => {
    const up = await uploads.receive(p, rawRequest(Buffer.from('a,b\n')), '../../etc/pass wd');
    expect(up.file_url).toBe(`store://uploads/${up.upload_id}/pass_wd`);
    expect(up.size).toBe(4);
    const stream = await storages.open(up.file_url, p.environmentId);
    const parts: Buffer[] = [];
    for await (const c of stream) parts.push(c as Buffer);
    expect(Buffer.concat(parts).toString()).toBe('a,b\n');
    await expect(storages.open(up.file_url, 'env_other')).rejects.toThrow(/was not found/);
  });

  it('refuses an upload over the limit with 413, declared or streamed', async () => {
    const declared = await caught(
      uploads.receive(p, rawRequest(Buffer.alloc(10), { 'content-length': '5000' })),
    );
    expect(declared.httpStatus).toBe(413);
    const streamed = await caught(uploads.receive(p, rawRequest(Buffer.alloc(1500))));
    expect(streamed.httpStatus).toBe(413);
    expect(streamed.message).toMatch(/larger than the 1000 bytes/);
  });
});
