import { randomBytes } from 'crypto';
import { gunzipSync } from 'zlib';

import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

import { type S3TestServer, startS3TestServer } from '@ferry/files/testing';
import { hashApiKey } from '@ferry/persistence';

import { FerryApi } from '../support/api';
import { type FerrySystem, startFerry } from '../support/ferry-system';
import { FileServer } from '../support/file-server';

const BUCKET = 'ferry-exports';
const TTL_SECONDS = 3;

/** A file with what makes CSV hard: formula cells, quotes, commas, newlines, JSON properties. */
const SOURCE_CSV =
  'event_id,event_name,external_customer_id,customer_id,timestamp,source,properties.tokens,properties.note\n' +
  'evt_1,api_call,cust_1,c_1,2024-01-02T03:04:05Z,sdk,10,plain\n' +
  'evt_2,=SUM(A1:A2),"cust, with comma",,2024-01-02T03:04:05.5+01:00,,-3,"say ""hi""\nsecond line"\n' +
  'evt_3,storage,@cust,,2024-01-01T00:00:00Z,+src,7,=cmd|x\n' +
  ',derived_id,cust_4,,2024-02-01T00:00:00Z,,,\n';

/** EVENTS export, import the export elsewhere, export again: the same file but server fields. */
describe('exporting EVENTS (store, S3, downloads, uploads, round trip)', () => {
  let ferry: FerrySystem;
  let files: FileServer;
  let s3: S3TestServer;
  let api: FerryApi;
  let other: FerryApi;

  async function secondEnvironment(): Promise<FerryApi> {
    const suffix = randomBytes(4).toString('hex');
    const key = `fry_test_${randomBytes(16).toString('hex')}`;
    await ferry.db.query(`INSERT INTO tenants (id, name) VALUES ($1, 'second')`, [
      `tenant_${suffix}`,
    ]);
    await ferry.db.query(`INSERT INTO environments (id, tenant_id, name) VALUES ($1, $2, 'b')`, [
      `env_${suffix}`,
      `tenant_${suffix}`,
    ]);
    await ferry.db.query(
      `INSERT INTO api_keys (id, tenant_id, environment_id, user_id, name, key_hash, key_prefix, permissions)
       VALUES ($1, $2, $3, 'user_b', 'b', $4, $5, ARRAY['task:read', 'task:write'])`,
      [`key_${suffix}`, `tenant_${suffix}`, `env_${suffix}`, hashApiKey(key), key.slice(0, 12)],
    );
    return new FerryApi(ferry.baseUrl, key);
  }

  async function run(client: FerryApi, body: Record<string, unknown>) {
    const res = await client.createTask({ entity_type: 'EVENTS', file_type: 'CSV', ...body });
    expect(res.status).toBe(202);
    const task = await client.waitForTask(res.body.id);
    if (task.task_status !== 'COMPLETED') throw new Error(`task failed: ${task.error_summary}`);
    return task;
  }

  async function download(
    client: FerryApi,
    taskId: string,
  ): Promise<{ url: string; body: Buffer }> {
    const res = await client.request('GET', `/v1/tasks/${taskId}/download`);
    expect(res.status).toBe(200);
    const url: string = res.body.download_url;
    const got = await fetch(url); // a plain GET: no key, like curl
    expect(got.status).toBe(200);
    return { url, body: Buffer.from(await got.arrayBuffer()) };
  }

  /** The file without its last column (created_at, server-assigned). */
  const withoutCreatedAt = (csv: string) =>
    csv
      .split('\n')
      .map((line) => line.replace(/,[^,]*$/, ''))
      .join('\n');

  beforeAll(async () => {
    files = await new FileServer().start();
    s3 = await startS3TestServer([BUCKET]);
    ferry = await startFerry({
      env: {
        FERRY_S3_ENDPOINT: s3.endpoint,
        FERRY_S3_ACCESS_KEY_ID: s3.accessKeyId,
        FERRY_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        FERRY_S3_FORCE_PATH_STYLE: 'true',
        FERRY_DOWNLOAD_TTL_SECONDS: String(TTL_SECONDS),
        FERRY_UPLOAD_MAX_BYTES: String(1024 * 1024),
      },
    });
    api = new FerryApi(ferry.baseUrl, ferry.apiKey);
    other = await secondEnvironment();
  });

  afterAll(async () => {
    await ferry?.stop();
    await s3?.stop();
    await files?.stop();
  });

  it('round trip: import, export, upload the export to another environment, import, export again', async () => {
    const imported = await run(api, {
      task_type: 'IMPORT',
      file_url: files.add('src.csv', SOURCE_CSV),
    });
    expect(imported.successful_records).toBe(4);

    const first = await run(api, { task_type: 'EXPORT', file_url: 'store://exports/' });
    expect(first.file_url).toBe(`store://exports/${first.id}.csv`);
    expect(first.total_records).toBe(4);
    expect(first.processed_records).toBe(4);
    expect(first.metadata).toMatchObject({ row_count: 4 });
    const a = await download(api, first.id);
    expect(first.metadata.file_size).toBe(a.body.length);
    const csvA = a.body.toString();
    expect(csvA.split('\n')[0]).toBe(
      'event_id,event_name,external_customer_id,customer_id,timestamp,source,properties,created_at',
    );
    expect(csvA).toContain(`'=SUM(A1:A2)`); // formula guard
    expect(csvA).toContain(`'@cust`);

    // The export goes into the second environment through an upload.
    const up = await fetch(`${ferry.baseUrl}/v1/uploads?file_name=export.csv`, {
      method: 'POST',
      headers: { 'x-api-key': other.apiKey, 'content-type': 'text/csv' },
      body: new Uint8Array(a.body),
    });
    expect(up.status).toBe(201);
    const upload = (await up.json()) as { upload_id: string; file_url: string };
    expect(upload.file_url).toBe(`store://uploads/${upload.upload_id}/export.csv`);
    const reimported = await run(other, { task_type: 'IMPORT', file_url: upload.file_url });
    expect(reimported.successful_records).toBe(4);
    expect(reimported.failed_records).toBe(0);
    expect(reimported.metadata.ignored_columns).toEqual(['created_at']);

    const second = await run(other, { task_type: 'EXPORT', file_url: 'store://exports/' });
    const csvB = (await download(other, second.id)).body.toString();
    expect(withoutCreatedAt(csvB)).toBe(withoutCreatedAt(csvA));
  });

  it('the same upload URL is nothing in another environment', async () => {
    const up = await fetch(`${ferry.baseUrl}/v1/uploads`, {
      method: 'POST',
      headers: { 'x-api-key': other.apiKey },
      body: 'event_name,external_customer_id\nx,y\n',
    });
    const { file_url } = (await up.json()) as { file_url: string };
    const res = await api.createTask({
      task_type: 'IMPORT',
      entity_type: 'EVENTS',
      file_type: 'CSV',
      file_url,
    });
    const task = await api.waitForTask(res.body.id);
    expect(task.task_status).toBe('FAILED');
    expect(task.error_summary).toMatch(/was not found/);
  });

  it('a multipart upload feeds an import; an upload over the limit is a 413', async () => {
    const form = new FormData();
    form.append('file', new Blob(['event_name,external_customer_id\nm1,c1\nm2,c2\n']), 'm.csv');
    const up = await fetch(`${ferry.baseUrl}/v1/uploads`, {
      method: 'POST',
      headers: { 'x-api-key': ferry.apiKey },
      body: form,
    });
    expect(up.status).toBe(201);
    const { file_url } = (await up.json()) as { file_url: string };
    expect(file_url).toMatch(/^store:\/\/uploads\/upload_\w+\/m\.csv$/);
    const task = await run(api, { task_type: 'IMPORT', file_url });
    expect(task.successful_records).toBe(2);

    const big = await fetch(`${ferry.baseUrl}/v1/uploads`, {
      method: 'POST',
      headers: { 'x-api-key': ferry.apiKey },
      body: Buffer.alloc(2 * 1024 * 1024, 'a'),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { message: string }).message).toMatch(/larger than/);
  });

  it('download links are re-issued on every call and expire', async () => {
    const task = await run(api, { task_type: 'EXPORT', file_url: 'store://exports/dl/' });
    const one = await download(api, task.id);
    const two = await download(api, task.id);
    expect(two.url).not.toBe(one.url);
    expect(two.body.equals(one.body)).toBe(true);
    const tampered = one.url.replace(/signature=[^&]+/, 'signature=AAAA');
    expect((await fetch(tampered)).status).toBe(403);
    await new Promise((r) => setTimeout(r, (TTL_SECONDS + 1.2) * 1000));
    const late = await fetch(one.url);
    expect(late.status).toBe(403);
    expect(((await late.json()) as { message: string }).message).toMatch(/expired/);
    expect((await download(api, task.id)).body.equals(one.body)).toBe(true);
  });

  it('exports to S3 (gzip, JSON) with presigned download URLs', async () => {
    const csv = await run(api, {
      task_type: 'EXPORT',
      file_url: `s3://${BUCKET}/out/`,
      metadata: { compression: 'gzip' },
    });
    expect(csv.file_url).toBe(`s3://${BUCKET}/out/${csv.id}.csv.gz`);
    const gz = await download(api, csv.id);
    expect(gz.url).toContain('X-Amz-Signature=');
    const store = await run(api, { task_type: 'EXPORT', file_url: 'store://exports/' });
    expect(gunzipSync(gz.body).toString()).toBe((await download(api, store.id)).body.toString());

    const json = await run(api, {
      task_type: 'EXPORT',
      file_type: 'JSON',
      file_url: `s3://${BUCKET}/out/events.json`,
      metadata: { event_name: 'api_call' },
    });
    const rows = JSON.parse((await download(api, json.id)).body.toString()) as Array<
      Record<string, unknown>
    >;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      event_id: 'evt_1',
      external_customer_id: 'cust_1',
      customer_id: 'c_1',
      timestamp: '2024-01-02T03:04:05Z',
      source: 'sdk',
      properties: { tokens: '10', note: 'plain' },
    });
  });

  it('exports to a presigned PUT URL', async () => {
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    const putUrl = await getSignedUrl(
      client,
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'put/e.csv',
        ContentType: 'text/csv; charset=utf-8',
      }),
      { expiresIn: 600 },
    );
    const task = await run(api, { task_type: 'EXPORT', file_url: putUrl });
    const obj = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'put/e.csv' }));
    const text = await obj.Body?.transformToString();
    expect(text?.split('\n')[0]).toMatch(/^event_id,event_name/);
    expect(text?.trim().split('\n')).toHaveLength(1 + task.total_records);
    const dl = await api.request('GET', `/v1/tasks/${task.id}/download`);
    expect(dl.status).toBe(400);
    expect(dl.body.message).toMatch(/URL you gave/);
    client.destroy();
  });

  it('refuses downloads of imports, unfinished or failed exports, and other environments’ tasks', async () => {
    const imp = await run(api, {
      task_type: 'IMPORT',
      file_url: files.add('small.csv', 'event_name,external_customer_id\na,b\n'),
    });
    const res = await api.request('GET', `/v1/tasks/${imp.id}/download`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_operation' });
    expect(res.body.message).toMatch(/is an import/);

    // A bad selection is refused at once now (docs/API.md §1), so the failed export is one whose
    // destination refuses the PUT.
    const refused = await api.createTask({
      task_type: 'EXPORT',
      entity_type: 'EVENTS',
      file_type: 'CSV',
      file_url: 'store://exports/',
      metadata: { start_time: 'not a time' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/start_time/);
    const failed = await api.createTask({
      task_type: 'EXPORT',
      entity_type: 'EVENTS',
      file_type: 'CSV',
      file_url: files.handle('refuses-the-put.csv', (req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(403).end('no'));
      }),
    });
    const done = await api.waitForTask(failed.body.id);
    expect(done.task_status).toBe('FAILED');
    expect(done.error_summary).toMatch(/returned HTTP 403/);
    const notReady = await api.request('GET', `/v1/tasks/${done.id}/download`);
    expect(notReady.status).toBe(404);
    expect(notReady.body.message).toMatch(/is FAILED: its file can be downloaded once/);

    const exp = await run(api, { task_type: 'EXPORT', file_url: 'store://exports/' });
    const foreign = await other.request('GET', `/v1/tasks/${exp.id}/download`);
    expect(foreign.status).toBe(404);
    const missing = await api.request('GET', '/v1/tasks/task_nope/download');
    expect(missing.status).toBe(404);
  });
});
