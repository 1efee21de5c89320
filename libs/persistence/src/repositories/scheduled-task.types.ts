import { type EntityType, type RecordStatus, type TaskStatus } from '@ferry/contracts';

import { type NewTask, type OutboxDraft } from './task.types';

/** A scheduled export's row (docs/API.md §4) with its scheduler state. */
export interface ScheduledTaskRow {
  id: string;
  tenant_id: string;
  environment_id: string;
  connection_id: string;
  entity_type: EntityType;
  interval: string;
  enabled: boolean;
  /** The checked job_config (`JobConfig` of libs/contracts). */
  job_config: Record<string, unknown>;
  status: RecordStatus;
  /** The start of the next slot to run. */
  next_slot_start: Date;
  /** When that slot is due (its end, plus the lag in window mode). */
  next_run_at: Date;
  /** Incremental mode: the upper bound of the last run's transaction ids (xid8, decimal). */
  watermark: string;
  /** When that watermark was taken (the start of the next manual incremental run's name). */
  watermark_at: Date;
  /** Slots left out of catch-up because more were missed than it runs. */
  skipped_slots: number;
  created_at: Date;
  updated_at: Date;
  created_by: string | null;
  updated_by: string | null;
}

/** A schedule with what its latest run did, as responses show it. */
export interface ScheduledTaskView extends ScheduledTaskRow {
  last_run_at: Date | null;
  last_run_status: TaskStatus | null;
  last_run_error: string | null;
}

export type RunKind = 'slot' | 'manual' | 'custom';

/** One run the scheduler (or a forced run) decided on, written with its task in one transaction. */
export interface PlannedRun {
  kind: RunKind;
  windowStart: Date;
  windowEnd: Date;
  /** Incremental runs: the transaction-id range `[from, to)` they export. */
  watermark: { from: string; to: string } | null;
  task: NewTask;
  message: OutboxDraft;
  /** The schedule's next cursor, when this run moves it (slot runs). */
  next?: { slotStart: Date; runAt: Date; skipped: number };
}

/** What a transaction that made a run committed: the task and its outbox row, to publish. */
export interface CommittedRun {
  scheduledTaskId: string;
  taskId: string;
  outboxId: string;
  message: OutboxDraft;
  windowStart: Date;
  windowEnd: Date;
}

export interface ScheduledTaskFilters {
  connection_id?: string;
  entity_type?: EntityType;
  interval?: string;
  enabled?: boolean;
  limit: number;
  offset: number;
}
