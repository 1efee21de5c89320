import { execFile } from 'child_process';
import path from 'path';
import { promisify } from 'util';

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
  });
});
