import { readFileSync } from 'fs';
import { join } from 'path';

import {
  EntityType,
  ErrorCode,
  FerryError,
  FileType,
  TaskCreatedEvent,
  TaskType,
} from '@ferry/contracts';
import {
  JetStreamContext,
  type TaskRunner,
  type TaskWorkerBinding,
  taskWorkerBindings,
} from '@ferry/messaging';
import { type RunControl } from '@ferry/transfer';

import { importerWorker } from './importer.worker';

type RawMessage = ConstructorParameters<typeof JetStreamContext>[0];

/** Stands in for the runner: records what it was given (the pipeline has its own specs). */
class RecordingRunner implements TaskRunner {
  readonly calls: Array<[TaskCreatedEvent, RunControl]> = [];

  async run(task: TaskCreatedEvent, control: RunControl): Promise<void> {
    this.calls.push([task, control]);
  }

  async fail(): Promise<void> {
    throw new Error('not expected in these specs');
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

/** The importer's handlers, as `connectTaskWorker` binds them, around `runner`. */
const bindingsWith = (runner: TaskRunner): TaskWorkerBinding[] =>
  taskWorkerBindings({ ...importerWorker, runner });

function handlerOf(bindings: TaskWorkerBinding[], entity: EntityType): TaskWorkerBinding['handle'] {
  const binding = bindings.find((b) => b.entity === entity);
  if (!binding) throw new Error(`no handler for ${entity}`);
  return binding.handle;
}

describe('the importer worker', () => {
  let runner: RecordingRunner;
  let bindings: TaskWorkerBinding[];
  let controller: AbortController;
  let ctx: JetStreamContext;

  beforeEach(() => {
    runner = new RecordingRunner();
    bindings = bindingsWith(runner);
    controller = new AbortController();
    ctx = new JetStreamContext({} as RawMessage, { maxDeliver: 5, signal: controller.signal });
  });

  it('has a consumer importer_parts_events for the parts of split imports, and a KEDA trigger for every consumer', () => {
    const withParts = taskWorkerBindings({
      ...importerWorker,
      partEntityTypes: importerWorker.parts?.entityTypes,
      runner: Object.assign(new RecordingRunner(), { runPart: async () => undefined }),
    });
    const parts = withParts.filter((b) => b.parts).map((b) => [b.pattern, b.durable]);
    expect(parts).toEqual([['task.part.import.events', 'importer_parts_events']]);
    const manifest = readFileSync(join(__dirname, '../../../deploy/base/importer.yaml'), 'utf8');
    const triggered = [...manifest.matchAll(/consumer: (\S+)/g)].map((m) => m[1]).sort();
    expect(triggered).toEqual(withParts.map((b) => b.durable).sort());
  });

  it('serves import tasks, as the importer', () => {
    expect(importerWorker.taskType).toBe(TaskType.IMPORT);
    expect(importerWorker.service).toBe('importer');
  });

  it('has one consumer importer_<entity> on task.created.import.<entity> per entity type', () => {
    const served = bindings.map(({ entity, pattern, durable }) => ({ entity, pattern, durable }));
    expect(served.sort((a, b) => a.entity.localeCompare(b.entity))).toEqual(
      [...Object.values(EntityType)].sort().map((entity) => ({
        entity,
        pattern: `task.created.import.${entity.toLowerCase()}`,
        durable: `importer_${entity.toLowerCase()}`,
      })),
    );
  });

  it.each(Object.values(EntityType))(
    '%s: passes the parsed event and the delivery signal to the runner',
    async (entity) => {
      await handlerOf(bindings, entity)(payload(entity), ctx);
      expect(runner.calls).toHaveLength(1);
      const [task, control] = runner.calls[0];
      expect(task).toBeInstanceOf(TaskCreatedEvent);
      expect(task).toEqual(expect.objectContaining(payload(entity)));
      expect(control.signal).toBe(controller.signal);
    },
  );

  it("returns the runner's failure, so the transport can nak or dead-letter it", async () => {
    const failing: TaskRunner = {
      run: () => Promise.reject(FerryError.transient('database down')),
      fail: () => Promise.resolve(),
    };
    const handle = handlerOf(bindingsWith(failing), EntityType.EVENTS);
    await expect(handle(payload(EntityType.EVENTS), ctx)).rejects.toThrow('database down');
  });

  it.each<[string, unknown]>([
    ['a payload without task_id', { ...payload(EntityType.EVENTS), task_id: undefined }],
    ['a payload with a bad entity type', { ...payload(EntityType.EVENTS), entity_type: 'ORDERS' }],
    ['a payload that is not an object', 'task_01'],
    ['a null payload', null],
  ])('throws a non-retryable FerryError for %s without calling the runner', async (_name, data) => {
    // Sync throw or rejection: either way the transport sees the error.
    const thrown: unknown = await Promise.resolve()
      .then(() => handlerOf(bindings, EntityType.EVENTS)(data, ctx))
      .catch((err: unknown) => err);
    expect(thrown).toBeInstanceOf(FerryError);
    expect((thrown as FerryError).code).toBe(ErrorCode.VALIDATION);
    expect((thrown as FerryError).retryable).toBe(false);
    expect(runner.calls).toHaveLength(0);
  });
});
