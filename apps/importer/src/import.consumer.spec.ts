import {
  EntityType,
  ErrorCode,
  FerryError,
  FileType,
  TaskCreatedEvent,
  TaskType,
} from '@ferry/contracts';
import { JetStreamContext } from '@ferry/messaging';
import { type ImportRunner, type RunControl } from '@ferry/transfer';

import { ImportConsumer } from './import.consumer';

type RawMessage = ConstructorParameters<typeof JetStreamContext>[0];

/** Stands in for the runner: records what it was given (the pipeline has its own specs). */
class RecordingRunner {
  readonly calls: Array<[TaskCreatedEvent, RunControl]> = [];

  async run(task: TaskCreatedEvent, control: RunControl): Promise<void> {
    this.calls.push([task, control]);
  }
}

const payload = (entity: EntityType) => ({
  task_id: 'task_01JABCDEFGHJKMNPQRSTVWXYZ0',
  tenant_id: 'tenant_1',
  environment_id: 'env_1',
  task_type: TaskType.IMPORT,
  entity_type: entity,
  file_type: FileType.CSV,
  file_url: 'https://example.com/f.csv',
  metadata: {},
  attempt: 1,
});

describe('ImportConsumer', () => {
  let runner: RecordingRunner;
  let consumer: ImportConsumer;
  let controller: AbortController;
  let ctx: JetStreamContext;

  beforeEach(() => {
    runner = new RecordingRunner();
    consumer = new ImportConsumer(runner as unknown as ImportRunner);
    controller = new AbortController();
    ctx = new JetStreamContext({} as RawMessage, { maxDeliver: 5, signal: controller.signal });
  });

  it.each([
    ['events', EntityType.EVENTS],
    ['customers', EntityType.CUSTOMERS],
    ['features', EntityType.FEATURES],
    ['prices', EntityType.PRICES],
  ] as const)(
    '%s: passes the parsed event and the delivery signal to the runner',
    async (handler, entity) => {
      await consumer[handler](payload(entity), ctx);
      expect(runner.calls).toHaveLength(1);
      const [task, control] = runner.calls[0];
      expect(task).toBeInstanceOf(TaskCreatedEvent);
      expect(task).toEqual(expect.objectContaining(payload(entity)));
      expect(control.signal).toBe(controller.signal);
    },
  );

  it("returns the runner's failure, so the transport can nak or dead-letter it", async () => {
    const failing = { run: () => Promise.reject(FerryError.transient('database down')) };
    const c = new ImportConsumer(failing as unknown as ImportRunner);
    await expect(c.events(payload(EntityType.EVENTS), ctx)).rejects.toThrow('database down');
  });

  it.each<[string, unknown]>([
    ['a payload without task_id', { ...payload(EntityType.EVENTS), task_id: undefined }],
    ['a payload with a bad entity type', { ...payload(EntityType.EVENTS), entity_type: 'ORDERS' }],
    ['a payload that is not an object', 'task_01'],
    ['a null payload', null],
  ])('throws a non-retryable FerryError for %s without calling the runner', async (_name, data) => {
    // Sync throw or rejection: either way the transport sees the error.
    const thrown: unknown = await Promise.resolve()
      .then(() => consumer.events(data, ctx))
      .catch((err: unknown) => err);
    expect(thrown).toBeInstanceOf(FerryError);
    expect((thrown as FerryError).code).toBe(ErrorCode.VALIDATION);
    expect((thrown as FerryError).retryable).toBe(false);
    expect(runner.calls).toHaveLength(0);
  });
});
