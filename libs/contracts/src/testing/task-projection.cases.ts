import { TaskStatus } from '../enums';
import type { StatusKind, TaskCounters, TaskStatusEvent } from '../messages/task-status.event';
import type { TaskProjection } from '../task-projection';

/**
 * The projection rules as cases (docs/ARCHITECTURE.md invariant 3): a task as it stands, one
 * status event, and the task afterwards. Two specs run every case: the pure `applyStatusEvent`
 * of @ferry/contracts (the gateway's live view) and the status service's guarded UPDATE
 * (`TaskStateRepository.applyStatusEvent`, on PostgreSQL). A rule changed in one and not the
 * other fails one of them; a new rule gets its case here.
 */
export interface ProjectionCase {
  name: string;
  /** The task before the event, over `PENDING_TASK`. */
  given: Partial<TaskProjection>;
  event: CaseEvent;
  /** False when the event must change nothing (stale, a repeat, a COMPLETED task). */
  applied: boolean;
  /** What the event changes, over `given` (nothing when not applied). */
  changes?: Partial<TaskProjection>;
}

/** A status event without its task id; `at` defaults to `at(seq)`, counters to zeros. */
export type CaseEvent = { kind: StatusKind; seq: number } & Partial<
  Pick<TaskStatusEvent, 'at' | 'counters' | 'error_summary' | 'metadata' | 'file_url'>
>;

const T0 = Date.parse('2026-01-31T10:00:00.000Z');
/** A time `s` seconds after the cases' origin. */
export const at = (s: number): string => new Date(T0 + s * 1000).toISOString();

export const counters = (
  processed: number,
  successful: number,
  failed: number,
  total?: number | null,
): TaskCounters => ({
  processed_records: processed,
  successful_records: successful,
  failed_records: failed,
  total_records: total,
});

/** A task as the gateway creates it, with the user's own metadata. */
export const PENDING_TASK: TaskProjection = {
  task_status: TaskStatus.PENDING,
  last_seq: 0,
  processed_records: 0,
  successful_records: 0,
  failed_records: 0,
  total_records: null,
  error_summary: null,
  metadata: { source: 'crm' },
  file_url: 'store://uploads/events.csv',
  started_at: null,
  completed_at: null,
  failed_at: null,
};

const running = (over: Partial<TaskProjection> = {}): Partial<TaskProjection> => ({
  task_status: TaskStatus.PROCESSING,
  last_seq: 2,
  started_at: at(1),
  ...over,
});

export const PROJECTION_CASES: readonly ProjectionCase[] = [
  // started and progress
  {
    name: 'started moves a PENDING task to PROCESSING, started_at at the event time',
    given: {},
    event: { kind: 'started', seq: 1 },
    applied: true,
    changes: { task_status: TaskStatus.PROCESSING, last_seq: 1, started_at: at(1) },
  },
  {
    name: 'a later started keeps the first started_at',
    given: running({ last_seq: 1 }),
    event: { kind: 'started', seq: 5 },
    applied: true,
    changes: { last_seq: 5 },
  },
  {
    name: 'progress before started moves a PENDING task straight to PROCESSING',
    given: {},
    event: { kind: 'progress', seq: 2, counters: counters(10, 10, 0) },
    applied: true,
    changes: {
      task_status: TaskStatus.PROCESSING,
      last_seq: 2,
      processed_records: 10,
      successful_records: 10,
      started_at: at(2),
    },
  },
  {
    name: 'progress applies the counters, total_records and error summary',
    given: running({ processed_records: 500, successful_records: 498, failed_records: 2 }),
    event: {
      kind: 'progress',
      seq: 3,
      counters: counters(1000, 997, 3, 1000),
      error_summary: 'row 7: event_name is required; row 9: timestamp "x" is not an RFC 3339 time',
    },
    applied: true,
    changes: {
      last_seq: 3,
      processed_records: 1000,
      successful_records: 997,
      failed_records: 3,
      total_records: 1000,
      error_summary: 'row 7: event_name is required; row 9: timestamp "x" is not an RFC 3339 time',
    },
  },
  {
    name: 'a known total_records stays when the event carries null',
    given: running({ processed_records: 10, successful_records: 10, total_records: 40 }),
    event: { kind: 'progress', seq: 3, counters: counters(20, 20, 0, null) },
    applied: true,
    changes: { last_seq: 3, processed_records: 20, successful_records: 20 },
  },
  {
    name: 'a known total_records stays when the event does not carry it',
    given: running({ processed_records: 20, successful_records: 20, total_records: 40 }),
    event: { kind: 'progress', seq: 4, counters: counters(30, 30, 0) },
    applied: true,
    changes: { last_seq: 4, processed_records: 30, successful_records: 30 },
  },
  {
    name: 'the error summary stays when the event has none',
    given: running({ processed_records: 5, failed_records: 1, error_summary: 'row 3: bad' }),
    event: { kind: 'progress', seq: 3, counters: counters(8, 7, 1) },
    applied: true,
    changes: { last_seq: 3, processed_records: 8, successful_records: 7 },
  },
  // ordering: seq
  {
    name: 'a repeated event (the same seq) changes nothing',
    given: running({ processed_records: 100, successful_records: 90, failed_records: 10 }),
    event: { kind: 'progress', seq: 2, counters: counters(200, 190, 10) },
    applied: false,
  },
  {
    name: 'an older event that arrives late changes nothing',
    given: running({
      last_seq: 5,
      processed_records: 500,
      successful_records: 500,
      metadata: { source: 'crm', duplicates: 5 },
    }),
    event: {
      kind: 'progress',
      seq: 3,
      counters: counters(900, 800, 100, 900),
      error_summary: 'row 2: stale',
      metadata: { duplicates: 99, stale: true },
      file_url: 's3://stale/file.csv',
    },
    applied: false,
  },
  {
    name: 'counters never go down, even when a newer event carries lower numbers',
    given: running({ processed_records: 1000, successful_records: 900, failed_records: 100 }),
    event: { kind: 'progress', seq: 3, counters: counters(400, 950, 50) },
    applied: true,
    changes: { last_seq: 3, successful_records: 950 },
  },
  // completed
  {
    name: 'completed moves the task to COMPLETED with completed_at and the final figures',
    given: running({ processed_records: 5, successful_records: 4, failed_records: 1 }),
    event: {
      kind: 'completed',
      seq: 3,
      counters: counters(10, 8, 2, 10),
      error_summary: 'row 3: email is not valid; row 8: name is required',
    },
    applied: true,
    changes: {
      task_status: TaskStatus.COMPLETED,
      last_seq: 3,
      processed_records: 10,
      successful_records: 8,
      failed_records: 2,
      total_records: 10,
      error_summary: 'row 3: email is not valid; row 8: name is required',
      completed_at: at(3),
    },
  },
  {
    name: "completed records an export's file_url and merges its metadata",
    given: {},
    event: {
      kind: 'completed',
      seq: 2,
      counters: counters(3, 3, 0, 3),
      file_url: 'store://exports/task/customers.csv',
      metadata: { size_bytes: 120, row_count: 3 },
    },
    applied: true,
    changes: {
      task_status: TaskStatus.COMPLETED,
      last_seq: 2,
      processed_records: 3,
      successful_records: 3,
      total_records: 3,
      file_url: 'store://exports/task/customers.csv',
      metadata: { source: 'crm', size_bytes: 120, row_count: 3 },
      started_at: at(2),
      completed_at: at(2),
    },
  },
  ...(['failed', 'progress', 'started'] as const).map((kind): ProjectionCase => ({
    name: `COMPLETED is final: a later ${kind} event changes nothing`,
    given: running({
      task_status: TaskStatus.COMPLETED,
      processed_records: 10,
      successful_records: 10,
      total_records: 10,
      completed_at: at(2),
    }),
    event: {
      kind,
      seq: 3,
      counters: counters(99, 99, 0, 99),
      error_summary: 'row 1: late',
      metadata: { late: true },
    },
    applied: false,
  })),
  // failed
  {
    name: 'failed moves the task to FAILED with the reason and failed_at',
    given: running(),
    event: {
      kind: 'failed',
      seq: 3,
      error_summary: 'The file could not be downloaded: 404 Not Found',
    },
    applied: true,
    changes: {
      task_status: TaskStatus.FAILED,
      last_seq: 3,
      error_summary: 'The file could not be downloaded: 404 Not Found',
      failed_at: at(3),
    },
  },
  {
    name: 'failed ends a task that never started (an export refused at once)',
    given: {},
    event: { kind: 'failed', seq: 1, error_summary: 'Exporting EVENTS is not available' },
    applied: true,
    changes: {
      task_status: TaskStatus.FAILED,
      last_seq: 1,
      error_summary: 'Exporting EVENTS is not available',
      started_at: at(1),
      failed_at: at(1),
    },
  },
  {
    name: 'a late progress event after a cancel does not revive the task, but raises its counters',
    given: running({
      task_status: TaskStatus.FAILED,
      processed_records: 100,
      successful_records: 100,
      error_summary: 'Cancelled by user_1',
      failed_at: at(2),
    }),
    event: {
      kind: 'progress',
      seq: 3,
      counters: counters(200, 199, 1),
      error_summary: 'row 150: event_name is required',
    },
    applied: true,
    changes: { last_seq: 3, processed_records: 200, successful_records: 199, failed_records: 1 },
  },
  {
    name: 'a late completed event of the run that failed does not make it COMPLETED',
    given: running({
      task_status: TaskStatus.FAILED,
      error_summary: 'The task was cancelled',
      failed_at: at(2),
    }),
    event: { kind: 'completed', seq: 3, counters: counters(10, 10, 0, 10) },
    applied: true,
    changes: { last_seq: 3, processed_records: 10, successful_records: 10, total_records: 10 },
  },
  {
    name: 'a second failed event keeps the first failure time and reason',
    given: running({
      task_status: TaskStatus.FAILED,
      error_summary: 'The task was cancelled',
      failed_at: at(2),
    }),
    event: {
      kind: 'failed',
      seq: 3,
      error_summary: 'Stopped: the task is no longer PROCESSING',
    },
    applied: true,
    changes: { last_seq: 3 },
  },
  {
    name: 'a task cancelled while PENDING takes started_at from a late event of its run',
    given: {
      task_status: TaskStatus.FAILED,
      error_summary: 'Cancelled by user_1',
      failed_at: at(1),
    },
    event: { kind: 'started', seq: 1 },
    applied: true,
    changes: { last_seq: 1, started_at: at(1) },
  },
  {
    name: 'a retried task (FAILED → PROCESSING by the API) moves on with its newer events',
    given: running({ last_seq: 3, processed_records: 100, successful_records: 100 }),
    event: { kind: 'completed', seq: 5, counters: counters(300, 300, 0, 300) },
    applied: true,
    changes: {
      task_status: TaskStatus.COMPLETED,
      last_seq: 5,
      processed_records: 300,
      successful_records: 300,
      total_records: 300,
      completed_at: at(5),
    },
  },
  // metadata and file_url
  {
    name: "an event's metadata keys merge into the task's, newer values winning",
    given: running({ metadata: { source: 'crm', note: 'nightly', duplicates: 3 } }),
    event: {
      kind: 'progress',
      seq: 3,
      metadata: { duplicates: 7, ignored_columns: ['colour', 'size'] },
    },
    applied: true,
    changes: {
      last_seq: 3,
      metadata: {
        source: 'crm',
        note: 'nightly',
        duplicates: 7,
        ignored_columns: ['colour', 'size'],
      },
    },
  },
  {
    name: 'an event without metadata or file_url keeps both',
    given: running({ metadata: { source: 'crm', duplicates: 3 }, file_url: 's3://b/k.csv' }),
    event: { kind: 'progress', seq: 3 },
    applied: true,
    changes: { last_seq: 3 },
  },
];

/** The task before the case's event. */
export function givenTask(c: ProjectionCase): TaskProjection {
  return { ...PENDING_TASK, ...c.given };
}

/** The task after the case's event. */
export function expectedTask(c: ProjectionCase): TaskProjection {
  return { ...givenTask(c), ...(c.applied ? c.changes : {}) };
}

/** The case's event for a task. */
export function caseEvent(c: ProjectionCase, taskId: string): TaskStatusEvent {
  return {
    task_id: taskId,
    at: at(c.event.seq),
    counters: counters(0, 0, 0),
    ...c.event,
  };
}
