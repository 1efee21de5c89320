import { TaskStatus } from './enums';
import { applyStatusEvent } from './task-projection';
import {
  at,
  caseEvent,
  counters,
  expectedTask,
  givenTask,
  PENDING_TASK,
  PROJECTION_CASES,
} from './testing/task-projection.cases';

describe('applyStatusEvent (the projection rules, pure)', () => {
  it.each(PROJECTION_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const given = givenTask(c);
    const next = applyStatusEvent(given, caseEvent(c, 'task_1'));
    expect(next !== null).toBe(c.applied);
    expect(next ?? given).toEqual(expectedTask(c));
  });

  it('leaves the task it was given as it was', () => {
    const given = { ...PENDING_TASK, metadata: { source: 'crm' } };
    const next = applyStatusEvent(given, {
      kind: 'completed',
      seq: 1,
      at: at(1),
      counters: counters(1, 1, 0, 1),
      metadata: { row_count: 1 },
    });
    expect(next?.task_status).toBe(TaskStatus.COMPLETED);
    expect(given).toEqual({ ...PENDING_TASK, metadata: { source: 'crm' } });
  });
});
