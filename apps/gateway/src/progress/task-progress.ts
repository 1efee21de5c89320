import {
  applyStatusEvent,
  isFinalStatus,
  type TaskProjection,
  TaskStatus,
  type TaskStatusEvent,
} from '@ferry/contracts';
import type { TaskEntity } from '@ferry/persistence';

import { type TaskResponse, toTaskResponse } from '../tasks/task-response';

/** What one SSE `progress` message carries: the task as GET returns it, plus the live figures. */
export interface ProgressSnapshot {
  task: TaskResponse;
  /** Sequence of the last status event reflected here (the task row's `last_seq`). */
  seq: number;
  /** Records per second over the last few seconds (the whole run once it has ended); null before. */
  rows_per_second: number | null;
  /** 0..100, only when `total_records` is known. */
  percent: number | null;
  /** Seconds left at the current rate, only when `total_records` and a rate are known. */
  eta_seconds: number | null;
}

/** The rate is measured over samples this recent, so it follows the current speed. */
const RATE_WINDOW_MS = 10_000;

/**
 * The projected state of one task, kept in the gateway's hub: seeded from the task row, then
 * moved by status events with the status service's own rules, `applyStatusEvent` of
 * @ferry/contracts (docs/ARCHITECTURE.md invariant 3): an event applies only when its seq is
 * newer, counters never go down, COMPLETED is final and a FAILED task is not revived by a late
 * event. So a watcher never sees counters go backwards.
 */
export class TaskProgress {
  private task: TaskResponse;
  private seq: number;
  private readonly samples: Array<{ at: number; processed: number }> = [];

  constructor(row: TaskEntity, now = Date.now()) {
    this.task = toTaskResponse(row);
    this.seq = row.last_seq;
    this.sample(now);
  }

  get status(): string {
    return this.task.task_status;
  }

  get lastSeq(): number {
    return this.seq;
  }

  get isFinal(): boolean {
    return isFinalStatus(this.task.task_status);
  }

  /** Applies a worker's event; returns false when it was stale, a repeat, or the task had ended. */
  applyEvent(e: TaskStatusEvent, now = Date.now()): boolean {
    const next = applyStatusEvent(projectionOf(this.task, this.seq), e);
    if (!next) return false;
    const { last_seq, ...moved } = next;
    this.task = { ...this.task, ...moved, updated_at: new Date(now).toISOString() };
    this.seq = last_seq;
    this.sample(now);
    return true;
  }

  /**
   * Takes what the database says when it is ahead of us (an event the hub missed, or a change
   * that did not come as an event, e.g. a cancel): returns true when something visible changed.
   */
  applyRow(row: TaskEntity, now = Date.now()): boolean {
    const fresh = toTaskResponse(row);
    // A row behind our events (the status service lags the hub) is ignored, except when it
    // says the task ended (a cancel changes the status without a newer seq).
    const ended = isFinalStatus(fresh.task_status) && !this.isFinal;
    if (!(row.last_seq > this.seq || ended) || this.task.task_status === TaskStatus.COMPLETED) {
      return false;
    }
    const t = fresh;
    t.processed_records = Math.max(t.processed_records, this.task.processed_records);
    t.successful_records = Math.max(t.successful_records, this.task.successful_records);
    t.failed_records = Math.max(t.failed_records, this.task.failed_records);
    this.seq = Math.max(this.seq, row.last_seq);
    this.task = t;
    this.sample(now);
    return true;
  }

  snapshot(now = Date.now()): ProgressSnapshot {
    const t = this.task;
    const rate = this.rate(now);
    const total = t.total_records;
    const percent =
      total == null
        ? null
        : total === 0
          ? 100
          : round1(Math.min(100, (t.processed_records / total) * 100));
    const left = total == null ? null : Math.max(0, total - t.processed_records);
    const eta = this.isFinal ? 0 : left == null || !rate ? null : Math.round(left / rate);
    return {
      task: t,
      seq: this.seq,
      rows_per_second: rate,
      percent,
      eta_seconds: total == null ? null : eta,
    };
  }

  private sample(now: number): void {
    this.samples.push({ at: now, processed: this.task.processed_records });
    while (this.samples.length > 2 && now - this.samples[1].at > RATE_WINDOW_MS)
      this.samples.shift();
  }

  private rate(now: number): number | null {
    const t = this.task;
    if (this.isFinal && t.started_at) {
      const end = Date.parse(t.completed_at ?? t.failed_at ?? t.updated_at);
      const secs = (end - Date.parse(t.started_at)) / 1000;
      return secs > 0 ? Math.round(t.processed_records / secs) : null;
    }
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const secs = (last.at - first.at) / 1000;
    if (this.samples.length < 2 || secs < 0.5 || now - last.at > RATE_WINDOW_MS * 3) return null;
    return Math.round((last.processed - first.processed) / secs);
  }
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** The fields of the task that status events move, as the state machine sees them. */
function projectionOf(t: TaskResponse, seq: number): TaskProjection {
  return {
    task_status: t.task_status as TaskStatus,
    last_seq: seq,
    processed_records: t.processed_records,
    successful_records: t.successful_records,
    failed_records: t.failed_records,
    total_records: t.total_records,
    error_summary: t.error_summary,
    metadata: t.metadata,
    file_url: t.file_url,
    started_at: t.started_at,
    completed_at: t.completed_at,
    failed_at: t.failed_at,
  };
}
