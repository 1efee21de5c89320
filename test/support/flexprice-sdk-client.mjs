// Drives Ferry with Flexprice's own published SDK (@flexprice/sdk, ESM), unchanged, the way a
// Flexprice user's code would. Run by test/e2e/flexprice-sdk.e2e-spec.ts as a separate Node
// process; prints one JSON object with what each call returned (or the error it threw).
import { Flexprice } from '@flexprice/sdk';

const [serverURL, apiKeyAuth, fileUrl, missingUrl] = process.argv.slice(2);
const sdk = new Flexprice({ serverURL, apiKeyAuth });
const out = {};

async function step(name, fn) {
  try {
    out[name] = await fn();
  } catch (err) {
    out[name] = {
      error: err?.constructor?.name ?? 'Error',
      message: String(err?.message ?? err),
      statusCode: err?.statusCode,
    };
  }
  return out[name];
}

const created = await step('createTask', () =>
  sdk.tasks.createTask({
    taskType: 'IMPORT',
    entityType: 'EVENTS',
    fileType: 'CSV',
    fileUrl,
    fileName: 'sdk.csv',
  }),
);
if (created?.id) {
  let task;
  for (let i = 0; i < 600; i++) {
    task = await step('getTask', () => sdk.tasks.getTask(created.id));
    if (task.taskStatus === 'COMPLETED' || task.taskStatus === 'FAILED' || task.error) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await step('listTasks', () =>
    sdk.tasks.listTasks({ taskType: 'IMPORT', entityType: 'EVENTS', limit: 10, order: 'desc' }),
  );
  await step('getMissing', () => sdk.tasks.getTask('task_01JZZZZZZZZZZZZZZZZZZZZZZZ'));
  // A refused transition (COMPLETED is final) comes back as an error with its status code.
  await step('completeToFailed', () =>
    sdk.tasks.updateTaskStatus(created.id, { taskStatus: 'FAILED' }),
  );
}

async function waitFor(id, name) {
  let task;
  for (let i = 0; i < 600; i++) {
    task = await step(name, () => sdk.tasks.getTask(id));
    if (task.taskStatus === 'COMPLETED' || task.taskStatus === 'FAILED' || task.error) return task;
    await new Promise((r) => setTimeout(r, 100));
  }
  return task;
}

// A task that fails (its file is missing), retried through the SDK.
const failing = await step('createFailing', () =>
  sdk.tasks.createTask({
    taskType: 'IMPORT',
    entityType: 'EVENTS',
    fileType: 'CSV',
    fileUrl: missingUrl,
  }),
);
if (failing?.id) {
  await waitFor(failing.id, 'failedTask');
  const first = out.failedTask;
  await step('retry', () => sdk.tasks.updateTaskStatus(failing.id, { taskStatus: 'PROCESSING' }));
  // The retry runs again and fails again (the file is still missing): a second failure, later.
  for (let i = 0; i < 600; i++) {
    const t = await step('afterRetry', () => sdk.tasks.getTask(failing.id));
    if (t.error || (t.taskStatus === 'FAILED' && t.failedAt !== first.failedAt)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
}

// An export, and its download link.
const exported = await step('createExport', () =>
  sdk.tasks.createTask({
    taskType: 'EXPORT',
    entityType: 'EVENTS',
    fileType: 'CSV',
    fileUrl: 'store://exports/',
  }),
);
if (exported?.id) {
  await waitFor(exported.id, 'exportTask');
  await step('download', () => sdk.tasks.downloadTaskExport(exported.id));
}
// Scheduled exports: the six scheduledTasks calls, into the built-in store.
const schedule = await step('createScheduledTask', () =>
  sdk.scheduledTasks.createScheduledTask({
    connectionId: 'store',
    entityType: 'events',
    interval: 'hourly',
    enabled: true,
    jobConfig: { keyPrefix: 'sdk-exports', compression: 'none' },
  }),
);
await step('createInvoiceSchedule', () =>
  sdk.scheduledTasks.createScheduledTask({
    connectionId: 'store',
    entityType: 'invoice',
    interval: 'daily',
    jobConfig: {},
  }),
);
if (schedule?.id) {
  await step('listScheduledTasks', () =>
    sdk.scheduledTasks.listScheduledTasks({ entityType: 'events', enabled: true, limit: 10 }),
  );
  await step('getScheduledTask', () => sdk.scheduledTasks.getScheduledTask(schedule.id));
  await step('updateScheduledTask', () =>
    sdk.scheduledTasks.updateScheduledTask(schedule.id, { enabled: false }),
  );
  // The hour the imported events lie in (test/support/events-csv.ts).
  const start = new Date('2026-01-01T00:00:00Z');
  const end = new Date('2026-01-01T01:00:00Z');
  const run = await step('triggerScheduledTaskRun', () =>
    sdk.scheduledTasks.triggerScheduledTaskRun(schedule.id, {
      startTime: start.toISOString(),
      endTime: end.toISOString(),
    }),
  );
  if (run?.workflowId) {
    await waitFor(run.workflowId, 'scheduledRunTask');
    await step('scheduledRuns', () =>
      sdk.tasks.listTasks({ scheduledTaskId: schedule.id, limit: 10 }),
    );
    await step('scheduledRunDownload', () => sdk.tasks.downloadTaskExport(run.workflowId));
  }
  await step(
    'deleteScheduledTask',
    async () => (await sdk.scheduledTasks.deleteScheduledTask(schedule.id)) ?? 'deleted',
  );
  await step('afterDelete', () => sdk.scheduledTasks.getScheduledTask(schedule.id));
  await step('deleteAgain', () => sdk.scheduledTasks.deleteScheduledTask(schedule.id));
}

// Keys and environments as a Flexprice user manages them (docs/API.md §2).
const made = await step('createApiKey', () =>
  sdk.secrets.createApiKey({
    name: 'sdk key',
    type: 'private_key',
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  }),
);
await step('listApiKeys', () => sdk.secrets.listApiKeys(100, 0));
if (made?.apiKey) {
  const second = new Flexprice({ serverURL, apiKeyAuth: made.apiKey });
  await step('withNewKey', () => second.tasks.listTasks({ limit: 1 }));
  // The new key has the task permissions only: managing keys needs key:manage.
  await step('newKeyManages', () => second.secrets.listApiKeys());
  await step(
    'deleteApiKey',
    async () => (await sdk.secrets.deleteApiKey(made.secret.id)) ?? 'deleted',
  );
  await step('afterRevoke', () => second.tasks.listTasks({ limit: 1 }));
  await step('listRevoked', () => sdk.secrets.listApiKeys(100, 0, 'archived'));
}
const env = await step('createEnvironment', () =>
  sdk.environments.createEnvironment({ name: 'staging', type: 'development' }),
);
if (env?.id) {
  await step('updateEnvironment', () =>
    sdk.environments.updateEnvironment(env.id, { name: 'staging 2' }),
  );
}
process.stdout.write(JSON.stringify(out));
