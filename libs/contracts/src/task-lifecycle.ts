import { TaskStatus } from './enums';

/**
 * The transitions a client may ask for with `PUT /v1/tasks/{id}/status` (docs/API.md §3): cancel
 * (PENDING or PROCESSING → FAILED) and retry (FAILED → PROCESSING). PENDING → PROCESSING and
 * PROCESSING → COMPLETED belong to the worker: a client saying so would make the task lie.
 */
const CLIENT_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  [TaskStatus.PENDING]: [TaskStatus.FAILED],
  [TaskStatus.PROCESSING]: [TaskStatus.FAILED],
  [TaskStatus.FAILED]: [TaskStatus.PROCESSING],
  [TaskStatus.COMPLETED]: [],
};

export type ClientTransition = 'cancel' | 'retry';

/** What the requested move means, or null when the state machine refuses it. */
export function clientTransition(from: TaskStatus, to: TaskStatus): ClientTransition | null {
  if (!CLIENT_TRANSITIONS[from].includes(to)) return null;
  return to === TaskStatus.FAILED ? 'cancel' : 'retry';
}

/**
 * The message id of a task's `created` message: the task id, then `<id>:attempt-<n>` per retry.
 * Not `<id>:<n>`: status events use `<id>:<seq>` in the same stream, and JetStream would drop a
 * retry whose id equals a status event's within the duplicate window.
 */
export function taskCreatedMsgId(taskId: string, attempt: number): string {
  return attempt === 0 ? taskId : `${taskId}:attempt-${attempt}`;
}
