import { TaskStatus } from './enums';
import type { TaskStatusEvent } from './messages/task-status.event';
import { isFinalStatus } from './task-lifecycle';

/**
 * The fields of a task that workers' status events move, as the task row holds them (times in
 * ISO 8601). The status service keeps them in PostgreSQL, the gateway's live view in memory.
 */
export interface TaskProjection {
  task_status: TaskStatus;
  /** Sequence of the last event applied. */
  last_seq: number;
  processed_records: number;
  successful_records: number;
  failed_records: number;
  total_records: number | null;
  error_summary: string | null;
  metadata: Record<string, unknown>;
  file_url: string;
  started_at: string | null;
  completed_at: string | null;
  failed_at: string | null;
}

/** What of a status event the projection reads. */
export type ProjectedEvent = Pick<
  TaskStatusEvent,
  'kind' | 'seq' | 'at' | 'counters' | 'error_summary' | 'metadata' | 'file_url'
>;

/**
 * Applies one status event to a task (docs/ARCHITECTURE.md invariant 3); null when the event
 * changes nothing because it is stale or a repeat (`seq` not newer) or the task is COMPLETED.
 *
 * - An event of an open task (PENDING, PROCESSING) moves it: `completed` → COMPLETED, `failed` →
 *   FAILED, anything else → PROCESSING; its `error_summary` replaces the old one when it has one,
 *   and `completed`/`failed` stamp their time.
 * - A FAILED task is not revived (a cancel wins over the run it cancelled: docs/DECISIONS.md 8):
 *   its status, reason and `failed_at` stay. A late event may still raise its counters, since the
 *   rows it counts were committed.
 * - Counters never go down; `total_records` stays when the event does not know it.
 * - `metadata` keys merge (the event's win), `file_url` is replaced when the event has one, and
 *   `started_at` is the first event's time.
 *
 * The status service applies the same rules in SQL (`TaskStateRepository.applyStatusEvent` in
 * libs/persistence); `task-projection.cases.ts` (@ferry/contracts/testing) pins the two together.
 */
export function applyStatusEvent(t: TaskProjection, e: ProjectedEvent): TaskProjection | null {
  if (e.seq <= t.last_seq || t.task_status === TaskStatus.COMPLETED) return null;
  const open = !isFinalStatus(t.task_status);
  const c = e.counters;
  return {
    task_status: open ? statusAfter(e.kind) : t.task_status,
    last_seq: e.seq,
    processed_records: Math.max(t.processed_records, c.processed_records),
    successful_records: Math.max(t.successful_records, c.successful_records),
    failed_records: Math.max(t.failed_records, c.failed_records),
    total_records: c.total_records ?? t.total_records,
    error_summary: open ? (e.error_summary ?? t.error_summary) : t.error_summary,
    metadata: { ...t.metadata, ...e.metadata },
    file_url: e.file_url ?? t.file_url,
    started_at: t.started_at ?? e.at,
    completed_at: open && e.kind === 'completed' ? e.at : t.completed_at,
    failed_at: open && e.kind === 'failed' ? e.at : t.failed_at,
  };
}

function statusAfter(kind: ProjectedEvent['kind']): TaskStatus {
  switch (kind) {
    case 'completed':
      return TaskStatus.COMPLETED;
    case 'failed':
      return TaskStatus.FAILED;
    case 'started':
    case 'progress':
      return TaskStatus.PROCESSING;
  }
}
