import { execFile } from 'child_process';
import path from 'path';
import { promisify } from 'util';

import { FerryApi } from '../support/api';
import { eventsCsv } from '../support/events-csv';
import { type FerrySystem, startFerry } from '../support/ferry-system';
import { FileServer } from '../support/file-server';

const run = promisify(execFile);

/** Flexprice's published SDK (@flexprice/sdk, pinned) works against Ferry unchanged. */
describe('@flexprice/sdk against Ferry', () => {
  let ferry: FerrySystem;
  let files: FileServer;

  beforeAll(async () => {
    files = await new FileServer().start();
    ferry = await startFerry();
  });

  afterAll(async () => {
    await ferry?.stop();
    await files?.stop();
  });

  it('creates, gets, lists, retries, exports and downloads, and reads Ferry’s errors as Flexprice errors', async () => {
    const fileUrl = files.add('sdk.csv', eventsCsv(1000, 'sdk'));
    const { stdout } = await run(
      process.execPath,
      [
        path.join(__dirname, '../support/flexprice-sdk-client.mjs'),
        `${ferry.baseUrl}/v1`,
        ferry.apiKey,
        fileUrl,
        files.url('missing.csv'),
      ],
      { timeout: 120_000 },
    );
    const r = JSON.parse(stdout);
    expect(r.createTask).toMatchObject({
      taskType: 'IMPORT',
      entityType: 'EVENTS',
      fileType: 'CSV',
      taskStatus: 'PENDING',
      fileName: 'sdk.csv',
    });
    expect(r.getTask).toMatchObject({
      id: r.createTask.id,
      taskStatus: 'COMPLETED',
      totalRecords: 1000,
      processedRecords: 1000,
      successfulRecords: 1000,
      failedRecords: 0,
    });
    expect(r.listTasks.items.map((t: { id: string }) => t.id)).toEqual([r.createTask.id]);
    expect(r.listTasks.pagination).toMatchObject({ total: 1, limit: 10, offset: 0 });
    // Errors reach SDK users as Flexprice's own error class, carrying Ferry's message.
    expect(r.getMissing).toMatchObject({
      error: 'ErrorsErrorsErrorResponse',
      statusCode: 404,
      message: 'Task task_01JZZZZZZZZZZZZZZZZZZZZZZZ was not found',
    });
    expect(r.completeToFailed).toMatchObject({
      error: 'ErrorsErrorsErrorResponse',
      statusCode: 400,
    });
    expect(r.completeToFailed.message).toMatch(/COMPLETED/);

    expect(r.failedTask).toMatchObject({ id: r.createFailing.id, taskStatus: 'FAILED' });
    expect(r.failedTask.errorSummary).toMatch(/404/);
    expect(r.retry.message).toMatch(/attempt 1/);
    expect(r.afterRetry).toMatchObject({ taskStatus: 'FAILED' });
    expect(Date.parse(r.afterRetry.failedAt)).toBeGreaterThan(Date.parse(r.failedTask.failedAt));

    expect(r.exportTask).toMatchObject({ taskStatus: 'COMPLETED', totalRecords: 1000 });
    expect(r.download.download_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const file = await fetch(r.download.download_url);
    expect(file.status).toBe(200);
    const lines = (await file.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(1001);
    expect(lines[0]).toMatch(/^event_id,/);

    // The six scheduledTasks calls (docs/API.md §4).
    expect(r.createScheduledTask).toMatchObject({
      id: expect.stringMatching(/^schtask_[0-9A-Z]{26}$/),
      connectionId: 'store',
      entityType: 'events',
      interval: 'hourly',
      enabled: true,
      status: 'published',
      jobConfig: { keyPrefix: 'sdk-exports', compression: 'none', bucket: 'exports' },
    });
    expect(r.createInvoiceSchedule).toMatchObject({ statusCode: 400 });
    expect(r.createInvoiceSchedule.message).toMatch(/Ferry does not hold/);
    expect(r.listScheduledTasks.items.map((s: { id: string }) => s.id)).toEqual([
      r.createScheduledTask.id,
    ]);
    expect(r.listScheduledTasks.pagination).toMatchObject({ total: 1, limit: 10, offset: 0 });
    expect(r.getScheduledTask).toMatchObject({ id: r.createScheduledTask.id, enabled: true });
    expect(r.updateScheduledTask).toMatchObject({ id: r.createScheduledTask.id, enabled: false });
    expect(r.triggerScheduledTaskRun).toMatchObject({
      mode: 'custom',
      workflowId: expect.stringMatching(/^task_/),
    });
    expect(r.scheduledRunTask).toMatchObject({
      id: r.triggerScheduledTaskRun.workflowId,
      taskType: 'EXPORT',
      taskStatus: 'COMPLETED',
      totalRecords: 1000,
      scheduledTaskId: r.createScheduledTask.id,
    });
    expect(r.scheduledRunTask.fileUrl).toMatch(
      /^store:\/\/exports\/sdk-exports\/events\/events-\d{12}-\d{12}\.csv$/,
    );
    expect(r.scheduledRuns.items.map((t: { id: string }) => t.id)).toEqual([
      r.triggerScheduledTaskRun.workflowId,
    ]);
    const runFile = await fetch(r.scheduledRunDownload.download_url);
    expect((await runFile.text()).trimEnd().split('\n')).toHaveLength(1001);
    expect(r.deleteScheduledTask).toBe('deleted');
    expect(r.afterDelete).toMatchObject({ status: 'archived', enabled: false });
    expect(r.deleteAgain).toMatchObject({ statusCode: 400 });

    // secrets.*ApiKey and environments.* (docs/API.md §2): the key is shown once, works at once,
    // lacks key:manage, and is refused from the request after its revocation on.
    expect(r.createApiKey.apiKey).toMatch(/^fry_/);
    expect(r.createApiKey.secret).toMatchObject({
      name: 'sdk key',
      type: 'private_key',
      status: 'published',
      roles: ['task:read', 'task:write'],
    });
    expect(r.createApiKey.secret.expiresAt).toBeDefined();
    expect(r.listApiKeys).toMatchObject({ items: expect.any(Array) });
    const listed = r.listApiKeys.items.find(
      (k: { id: string }) => k.id === r.createApiKey.secret.id,
    );
    expect(listed).toMatchObject({ name: 'sdk key', displayId: r.createApiKey.secret.displayId });
    expect(JSON.stringify(r.listApiKeys)).not.toContain(r.createApiKey.apiKey);
    expect(r.withNewKey.items).toBeDefined();
    expect(r.newKeyManages).toMatchObject({ statusCode: 403 });
    expect(r.deleteApiKey).toBe('deleted');
    expect(r.afterRevoke).toMatchObject({ statusCode: 401 });
    expect(
      r.listRevoked.items.find((k: { id: string }) => k.id === r.createApiKey.secret.id),
    ).toMatchObject({ status: 'archived' });
    const stored = await ferry.db.query(
      'SELECT key_hash, last_used_at FROM api_keys WHERE id = $1',
      [r.createApiKey.secret.id],
    );
    expect(stored.rows[0].key_hash).not.toContain(r.createApiKey.apiKey);
    expect(stored.rows[0].last_used_at).not.toBeNull();
    expect(r.createEnvironment).toMatchObject({ name: 'staging', type: 'development' });
    expect(r.updateEnvironment).toMatchObject({ id: r.createEnvironment.id, name: 'staging 2' });
  });

  it('takes today’s Flexprice create body: upload_id and file_provider, lower-case types', async () => {
    const up = await fetch(`${ferry.baseUrl}/v1/uploads?file_name=body.csv`, {
      method: 'POST',
      headers: { 'x-api-key': ferry.apiKey },
      body: eventsCsv(10, 'body'),
    });
    const { upload_id } = (await up.json()) as { upload_id: string };
    const res = await fetch(`${ferry.baseUrl}/v1/tasks`, {
      method: 'POST',
      headers: { 'x-api-key': ferry.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        task_type: 'IMPORT',
        entity_type: 'events',
        file_type: 'CSV',
        file_provider: 'FILE_PROVIDER_FLEXPRICE',
        upload_id,
      }),
    });
    expect(res.status).toBe(202);
    const task = (await res.json()) as { id: string; file_name: string; entity_type: string };
    expect(task).toMatchObject({ entity_type: 'EVENTS', file_name: 'body.csv' });
    const done = await new FerryApi(ferry.baseUrl, ferry.apiKey).waitForTask(task.id);
    expect(done).toMatchObject({ task_status: 'COMPLETED', successful_records: 10 });
  });
});
