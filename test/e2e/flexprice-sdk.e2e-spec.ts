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
  });
});
