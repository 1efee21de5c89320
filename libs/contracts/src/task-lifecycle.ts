import { TaskStatus } from './enums';

/**
 * The task's state machine (docs/API.md §3), as pure functions: which moves a client may ask
 * for, when a task has ended, when a worker's delivery must stop, and the message ids of a task's
 * `created` message. How status events move the row is `applyStatusEvent` (task-projection.ts).
 *
 * Three writers move a task to FAILED, each deliberately (docs/API.md §3 "The three writers",
 * docs/DECISIONS.md 8, 11, 13):
 * 1. the status service, projecting a worker's `failed` event: the task cannot succeed on any
 *    delivery, or its deliveries ran out (the message was dead-lettered);
 * 2. the client's cancel (`PUT … FAILED`, `TaskRepository.changeStatus`): written at once, so a
 *    GET right after the PUT shows it, and because there may be no worker to ask;
 * 3. the gateway's sweeper (`TaskSweepRepository.sweep`), after the last re-drive of a quiet
 *    task: there may be no worker at all, or its messages keep getting lost.
 * Each takes the row as it stands; `applyStatusEvent` then makes sure no later event of the run
 * that failed undoes the FAILED, and only a retry (a new attempt) moves it back to PROCESSING.
 */

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

/** COMPLETED and FAILED: no worker acts on the task any more (only a retry revives a FAILED one). */
export function isFinalStatus(status: string): boolean {
  return status === TaskStatus.COMPLETED || status === TaskStatus.FAILED;
}

/** What a worker reads of its task before and while it acts on it. */
export interface TaskState {
  task_status: TaskStatus;
  attempt: number;
}

/**
 * Why a delivery of `attempt` must stop, or null while the task is still running for it: the
 * task was deleted, has ended (a cancel is FAILED), or was retried under a newer attempt.
 */
export function stopReason(state: TaskState | null | undefined, attempt: number): string | null {
  if (!state) return 'was deleted';
  if (isFinalStatus(state.task_status)) return `is ${state.task_status}`;
  if (state.attempt > attempt) return `was retried as attempt ${state.attempt}`;
  return null;
}

/** Thrown when a delivery finds its task no longer running for it (see `stopReason`). */
export class TaskCancelledError extends Error {
  constructor(taskId: string, why: string) {
    super(`task ${taskId} ${why}: this delivery stops and keeps what it committed`);
    this.name = 'TaskCancelledError';
  }
}

/**
 * The message id of a task's `created` message: the task id, then `<id>:attempt-<n>` per retry.
 * Not `<id>:<n>`: status events use `<id>:<seq>` in the same stream, and JetStream would drop a
 * retry whose id equals a status event's within the duplicate window.
 */
export function taskCreatedMsgId(taskId: string, attempt: number): string {
  return attempt === 0 ? taskId : `${taskId}:attempt-${attempt}`;
}

/**
 * The sweeper's k-th re-drive of an attempt's `created` message: `<id>[:attempt-<n>]:redrive-<k>`.
 * Its own id, because the message it replaces may be the one JetStream lost inside its duplicate
 * window (docs/API.md §3 "The sweeper"); an extra delivery of a healthy task is harmless.
 */
export function taskRedriveMsgId(taskId: string, attempt: number, redrive: number): string {
  return `${taskCreatedMsgId(taskId, attempt)}:redrive-${redrive}`;
}

/** The `error_summary` a client's cancel writes (docs/API.md §3). */
export function cancelSummary(userId: string | null): string {
  return `Cancelled by ${userId}`;
}

/**
 * Whether a FAILED task's `error_summary` says a client cancelled it: a schedule retries a run
 * that failed (docs/API.md §4), never one that someone cancelled.
 */
export function isCancelSummary(summary: string | null): boolean {
  return summary !== null && summary.startsWith('Cancelled by ');
}
