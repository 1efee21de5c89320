import { randomBytes } from 'crypto';

import {
  EntityType,
  ErrorCode,
  FerryError,
  FileType,
  isRetryable,
  newId,
  parseEvent,
  type TaskCreatedEvent,
  TaskStatusEvent,
  TaskType,
} from '@ferry/contracts';
import { ObjectStorages, StorageConfig } from '@ferry/files';
import {
  defaultMessagingConfig,
  JetStreamClient,
  JetStreamContext,
  type TaskWorkerBinding,
  taskWorkerBindings,
} from '@ferry/messaging';
import { TaskRepository } from '@ferry/persistence';
import { createTestDatabase, type TestDatabase } from '@ferry/persistence/testing';
import { EXPORT_DEFINITIONS, ExportRunner, StatusPublisher } from '@ferry/transfer';

import { exporterWorker } from './exporter.worker';

const NATS_URL = process.env['FERRY_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

type RawMessage = ConstructorParameters<typeof JetStreamContext>[0];

const ENTITY_TYPES = Object.values(EntityType);

describe('the exporter worker (PostgreSQL, NATS)', () => {
  let db: TestDatabase;
  let js: JetStreamClient;
  let bindings: TaskWorkerBinding[];
  let tasks: TaskRepository;

  /** The exporter's handler for `entity`, as `connectTaskWorker` binds it, on one delivery. */
  function handle(entity: EntityType, data: unknown): Promise<void> {
    const binding = bindings.find((b) => b.entity === entity);
    if (!binding) throw new Error(`no handler for ${entity}`);
    const signal = new AbortController().signal;
    return binding.handle(data, new JetStreamContext({} as RawMessage, { maxDeliver: 5, signal }));
  }

  /** An EXPORT task row as the gateway commits it, and the message the relay publishes for it. */
  async function exportTask(entity: EntityType): Promise<TaskCreatedEvent> {
    const id = newId('task');
    const res = await tasks.createWithOutbox(
      {
        id,
        tenant_id: 'tenant_exp',
        environment_id: 'env_exp',
        task_type: TaskType.EXPORT,
        entity_type: entity,
        file_type: FileType.CSV,
        file_url: 'store://exports/',
        created_by: 'user_1',
      },
      { subject: js.subjects.taskCreated(TaskType.EXPORT, entity), msgId: id, payload: {} },
    );
    if (!res.created) throw new Error('expected a new task');
    return {
      task_id: res.task.id,
      tenant_id: res.task.tenant_id,
      environment_id: res.task.environment_id,
      task_type: TaskType.EXPORT,
      entity_type: entity,
      file_type: FileType.CSV,
      file_url: res.task.file_url,
      metadata: {},
      attempt: 0,
      created_by: 'user_1',
    };
  }

  /** How many messages the stream holds on `task.status.<id>`, and the last one. */
  async function statusMessages(taskId: string) {
    const subject = js.subjects.taskStatus(taskId);
    const info = await js.jsm.streams.info(js.subjects.tasksStream, { subjects_filter: subject });
    const count = info.state.subjects?.[subject] ?? 0;
    const last =
      count > 0
        ? await js.jsm.streams.getMessage(js.subjects.tasksStream, { last_by_subj: subject })
        : null;
    return { subject, count, last };
  }

  async function rejection(promise: Promise<unknown>): Promise<FerryError> {
    const err: unknown = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof FerryError)) throw new Error(`expected a FerryError, got ${String(err)}`);
    return err;
  }

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_exporter');
    tasks = new TaskRepository(db.ds);
    js = await JetStreamClient.connect(
      defaultMessagingConfig({
        servers: NATS_URL,
        prefix: `t${randomBytes(5).toString('hex')}`,
        name: 'exporter-spec',
      }),
    );
    const storage = Object.assign(new StorageConfig(), { FERRY_NATS_PREFIX: js.subjects.prefix });
    bindings = taskWorkerBindings({
      ...exporterWorker,
      runner: new ExportRunner(
        db.ds,
        new StatusPublisher(js, js.subjects),
        ObjectStorages.fromConfig(storage, js.nc, { nativeDigest: false }),
        EXPORT_DEFINITIONS,
        { progressIntervalMs: 1000, fetch: {} },
      ),
    });
  });
  afterAll(async () => {
    if (js) {
      const objects = `OBJ_${js.subjects.prefix}_exports`;
      for (const stream of [js.subjects.tasksStream, js.subjects.dlqStream, objects]) {
        await js.jsm.streams.delete(stream).catch(() => undefined);
      }
      await js.close();
    }
    await db?.drop();
  });

  it.each(ENTITY_TYPES)('listens for task.created.export.%s', (entity) => {
    const patterns = bindings.filter((b) => b.entity === entity).map((b) => b.pattern);
    expect(patterns).toEqual([`task.created.export.${entity.toLowerCase()}`]);
  });

  it.each(ENTITY_TYPES)(
    'exports %s: one completed status event last, with the object URL and row count',
    async (entity) => {
      const task = await exportTask(entity);
      await handle(entity, task);
      const { count, last } = await statusMessages(task.task_id);
      expect(count).toBe(2); // started, completed
      const status = parseEvent(TaskStatusEvent, last?.json());
      expect(status).toMatchObject({
        kind: 'completed',
        seq: 2,
        file_url: `store://exports/${task.task_id}.csv`,
        metadata: { row_count: 0 },
        counters: { processed_records: 0, total_records: 0 },
      });
    },
  );

  it('publishes a newer seq when the same task is delivered again while unfinished', async () => {
    const task = await exportTask(EntityType.EVENTS);
    await handle(EntityType.EVENTS, task);
    // The status service has not projected COMPLETED yet, so a redelivery exports again.
    await handle(EntityType.EVENTS, task);
    const { count, last } = await statusMessages(task.task_id);
    expect(count).toBe(4);
    const status = parseEvent(TaskStatusEvent, last?.json());
    expect(status.kind).toBe('completed');
    expect(status.seq).toBe(4);
  });

  it.each<[string, unknown]>([
    ['not an object', 'task_01J'],
    ['null', null],
    ['without task_id', { entity_type: 'EVENTS', task_type: 'EXPORT' }],
    ['with an unknown entity_type', { task_id: 'task_x', entity_type: 'INVOICES' }],
  ])(
    'refuses a payload %s with a non-retryable validation error and publishes nothing',
    async (_name, payload) => {
      const before = await js.jsm.streams.info(js.subjects.tasksStream);
      const err = await rejection(handle(EntityType.EVENTS, payload));

      expect(err.code).toBe(ErrorCode.VALIDATION);
      expect(err.retryable).toBe(false);
      expect(isRetryable(err)).toBe(false);
      expect(err.message).toMatch(/malformed TaskCreatedEvent/);

      const after = await js.jsm.streams.info(js.subjects.tasksStream);
      expect(after.state.messages).toBe(before.state.messages);
    },
  );

  it('names what is wrong in the refusal of a payload missing fields', async () => {
    const task = await exportTask(EntityType.EVENTS);
    const partial: Record<string, unknown> = { ...task };
    delete partial['attempt'];
    delete partial['file_type'];
    const err = await rejection(handle(EntityType.EVENTS, partial));
    expect(err.message).toMatch(/attempt/);
    expect(err.message).toMatch(/file_type/);
    expect((await statusMessages(task.task_id)).count).toBe(0);
  });
});
