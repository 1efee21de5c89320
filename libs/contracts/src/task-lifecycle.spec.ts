import { TaskStatus } from './enums';
import { clientTransition, taskCreatedMsgId } from './task-lifecycle';

const { PENDING, PROCESSING, COMPLETED, FAILED } = TaskStatus;

describe('clientTransition', () => {
  it('allows cancel from PENDING and PROCESSING, retry from FAILED', () => {
    expect(clientTransition(PENDING, FAILED)).toBe('cancel');
    expect(clientTransition(PROCESSING, FAILED)).toBe('cancel');
    expect(clientTransition(FAILED, PROCESSING)).toBe('retry');
  });

  it('refuses everything else, COMPLETED being final', () => {
    const all = [PENDING, PROCESSING, COMPLETED, FAILED];
    const allowed = new Set(['PENDING>FAILED', 'PROCESSING>FAILED', 'FAILED>PROCESSING']);
    for (const from of all)
      for (const to of all)
        if (!allowed.has(`${from}>${to}`)) expect(clientTransition(from, to)).toBeNull();
  });
});

describe('taskCreatedMsgId', () => {
  it('is the task id for the first attempt and <id>:attempt-<n> after, never a status id', () => {
    expect(taskCreatedMsgId('task_1', 0)).toBe('task_1');
    expect(taskCreatedMsgId('task_1', 2)).toBe('task_1:attempt-2');
    // status events are <id>:<seq> in the same stream: a retry must never share one's msgID
    expect(taskCreatedMsgId('task_1', 2)).not.toMatch(/^task_1:\d+$/);
  });
});
