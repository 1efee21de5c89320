import { EntityType, FileType, TaskCreatedEvent, TaskType } from '@ferry/contracts';
import { JetStreamContext, type TaskRunner, taskWorkerBindings } from '@ferry/messaging';

import { exporterWorker } from './exporter.worker';

type RawMessage = ConstructorParameters<typeof JetStreamContext>[0];

describe('the exporter worker', () => {
  const runs: Array<{ task: TaskCreatedEvent; signal: AbortSignal }> = [];
  const runner: TaskRunner = {
    run: async (task, { signal }) => {
      runs.push({ task, signal });
    },
    fail: () => Promise.reject(new Error('not expected in these specs')),
  };
  const bindings = taskWorkerBindings({ ...exporterWorker, runner });

  it('serves export tasks, as the exporter', () => {
    expect(exporterWorker.taskType).toBe(TaskType.EXPORT);
    expect(exporterWorker.service).toBe('exporter');
  });

  it('serves every entity type: consumer exporter_<entity> on task.created.export.<entity>', () => {
    const served = new Map(bindings.map((b) => [b.entity, `${b.durable} ${b.pattern}`]));
    for (const entity of Object.values(EntityType)) {
      const name = entity.toLowerCase();
      expect(served.get(entity)).toBe(`exporter_${name} task.created.export.${name}`);
    }
    expect(served.size).toBe(Object.values(EntityType).length);
  });

  it("hands each entity type's task to the runner with the delivery's signal", async () => {
    const signal = new AbortController().signal;
    const ctx = new JetStreamContext({} as RawMessage, { maxDeliver: 5, signal });
    for (const b of bindings) {
      await b.handle(
        {
          task_id: 'task_01JABCDEFGHJKMNPQRSTVWXYZ0',
          tenant_id: 'tenant_1',
          environment_id: 'env_1',
          task_type: TaskType.EXPORT,
          entity_type: b.entity,
          file_type: FileType.JSON,
          file_url: 'store://exports/',
          metadata: {},
          attempt: 0,
        },
        ctx,
      );
    }
    expect(runs.map((r) => r.task.entity_type)).toEqual(bindings.map((b) => b.entity));
    expect(runs.every((r) => r.task instanceof TaskCreatedEvent && r.signal === signal)).toBe(true);
  });
});
