import { TaskStatus } from './enums';
import {
  clientTransition,
  isFinalStatus,
  stopReason,
  taskCreatedMsgId,
  taskRedriveMsgId,
} from './task-lifecycle';

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

describe('taskRedriveMsgId', () => {
  it('suffixes the attempt’s created msgID with the re-drive number', () => {
    expect(taskRedriveMsgId('task_1', 0, 1)).toBe('task_1:redrive-1');
    expect(taskRedriveMsgId('task_1', 2, 3)).toBe('task_1:attempt-2:redrive-3');
  });
});

describe('isFinalStatus and stopReason (when a delivery stops)', () => {
  it('counts COMPLETED and FAILED as final', () => {
    expect([PENDING, PROCESSING, COMPLETED, FAILED].filter(isFinalStatus)).toEqual([
      COMPLETED,
      FAILED,
    ]);
  });

  it('lets a delivery of the current attempt run while the task is open', () => {
    expect(stopReason({ task_status: PENDING, attempt: 0 }, 0)).toBeNull();
    expect(stopReason({ task_status: PROCESSING, attempt: 1 }, 1)).toBeNull();
    // A message newer than the row (the retry's row update not yet seen) still runs.
    expect(stopReason({ task_status: PROCESSING, attempt: 1 }, 2)).toBeNull();
  });

  it('stops it when the task is gone, has ended or was retried under a newer attempt', () => {
    expect(stopReason(undefined, 0)).toBe('was deleted');
    expect(stopReason({ task_status: FAILED, attempt: 0 }, 0)).toBe('is FAILED');
    expect(stopReason({ task_status: COMPLETED, attempt: 0 }, 0)).toBe('is COMPLETED');
    expect(stopReason({ task_status: PROCESSING, attempt: 2 }, 1)).toBe('was retried as attempt 2');
  });
});
