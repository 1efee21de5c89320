import {
  BUILT_IN_STORE_CONNECTION,
  catchUpFrom,
  type EntityType,
  fileTime,
  FileType,
  isDue,
  type JobConfig,
  newId,
  nextSlot,
  previousSlot,
  scheduledEntityName,
  type ScheduleInterval,
  ScheduleMode,
  type Slot,
  slotContaining,
  slotEnd,
  type Subjects,
  TaskType,
} from '@ferry/contracts';
import type { NewTask, PlannedRun, RunKind, ScheduledTaskRow } from '@ferry/persistence';

import { taskCreatedMessage } from './task-created.message';

/** How long after its end a slot of this schedule is due (window mode waits for late events). */
export function lagMs(cfg: JobConfig): number {
  return cfg.mode === ScheduleMode.WINDOW ? (cfg.lag_seconds ?? 0) * 1000 : 0;
}

/** Where a new (or re-enabled) schedule starts: the slot that holds `now`, due at its end + lag. */
export function startCursor(
  interval: ScheduleInterval,
  cfg: JobConfig,
  now: Date,
): { next_slot_start: Date; next_run_at: Date } {
  const slot = slotContaining(interval, now);
  return { next_slot_start: slot.start, next_run_at: new Date(slot.end.getTime() + lagMs(cfg)) };
}

/**
 * What the scheduler does with a schedule due at `now` (docs/API.md §4): catch-up bounded to
 * `maxCatchUp` slots (older ones are skipped and counted), then the oldest due slot's run with
 * the cursor moved to the next slot; or, when nothing is due after all, only the cursor.
 * `watermark` is the oldest transaction still running, taken under the schedule's lock.
 */
export function planSlotRun(
  s: ScheduledTaskRow,
  now: Date,
  watermark: string,
  maxCatchUp: number,
  subjects: Subjects,
): PlannedRun | { cursor: { slotStart: Date; runAt: Date; skipped: number } } {
  const interval = s.interval as ScheduleInterval;
  const cfg = s.job_config as unknown as JobConfig;
  const lag = lagMs(cfg);
  const { cursor, skipped } = catchUpFrom(interval, s.next_slot_start, now, lag, maxCatchUp);
  if (!isDue(interval, cursor, now, lag)) {
    return {
      cursor: {
        slotStart: cursor,
        runAt: new Date(slotEnd(interval, cursor).getTime() + lag),
        skipped,
      },
    };
  }
  const slot: Slot = { start: cursor, end: slotEnd(interval, cursor) };
  const next = nextSlot(interval, slot);
  return {
    ...planRun(
      s,
      'slot',
      slot,
      cfg.mode === ScheduleMode.INCREMENTAL ? watermark : null,
      s.created_by,
      now,
      subjects,
    ),
    next: { slotStart: next.start, runAt: new Date(next.end.getTime() + lag), skipped },
  };
}

/**
 * A forced run (`POST …/run`): a custom window exports that window by time in any mode; without
 * one, an incremental schedule exports what was written since its last run (moving its
 * watermark, so the next slot does not export it again), a window schedule its last whole slot.
 */
export function planForcedRun(
  s: ScheduledTaskRow,
  now: Date,
  watermark: string,
  custom: Slot | null,
  userId: string | null,
  subjects: Subjects,
): PlannedRun {
  const cfg = s.job_config as unknown as JobConfig;
  if (custom) return planRun(s, 'custom', custom, null, userId, now, subjects);
  if (cfg.mode === ScheduleMode.INCREMENTAL) {
    const since =
      s.watermark_at.getTime() < now.getTime() ? s.watermark_at : new Date(now.getTime() - 1000);
    return planRun(s, 'manual', { start: since, end: now }, watermark, userId, now, subjects);
  }
  const interval = s.interval as ScheduleInterval;
  return planRun(
    s,
    'manual',
    previousSlot(interval, slotContaining(interval, now)),
    null,
    userId,
    now,
    subjects,
  );
}

/**
 * The EXPORT task of one run: its file named as Flexprice names it
 * (`<key_prefix>/<entity>/<entity>-<YYMMDDHHMMSS start>-<end>.csv[.gz]`, docs/API.md §4) in the
 * built-in store or the connection's bucket, its rows chosen by the window (time) or by the
 * watermark range (incremental), its columns and compression from the job_config.
 */
function planRun(
  s: ScheduledTaskRow,
  kind: RunKind,
  window: Slot,
  watermark: string | null,
  userId: string | null,
  now: Date,
  subjects: Subjects,
): PlannedRun {
  const cfg = s.job_config as unknown as JobConfig;
  const entity = scheduledEntityName(s.entity_type);
  const gzip = cfg.compression === 'gzip';
  const name = `${entity}-${fileTime(window.start)}-${fileTime(window.end)}.csv${gzip ? '.gz' : ''}`;
  const key = [cfg.key_prefix, entity, name].filter((p) => p !== '').join('/');
  const builtIn = s.connection_id === BUILT_IN_STORE_CONNECTION;
  const range = watermark === null ? null : { from: s.watermark, to: watermark };
  const metadata: Record<string, unknown> = {
    compression: cfg.compression,
    ...(range
      ? { watermark_from: range.from, watermark_to: range.to }
      : { start_time: window.start.toISOString(), end_time: window.end.toISOString() }),
    ...(cfg.columns ? { columns: cfg.columns } : {}),
    ...(builtIn
      ? {}
      : {
          connection: {
            connection_id: s.connection_id,
            region: cfg.region,
            endpoint_url: cfg.endpoint_url,
            use_path_style: cfg.use_path_style,
            encryption: cfg.encryption,
          },
        }),
  };
  const task: NewTask = {
    id: newId('task', now.getTime()),
    tenant_id: s.tenant_id,
    environment_id: s.environment_id,
    task_type: TaskType.EXPORT,
    entity_type: s.entity_type as EntityType,
    file_type: FileType.CSV,
    file_url: `${builtIn ? 'store' : 's3'}://${cfg.bucket}/${key}`,
    file_name: name,
    metadata,
    created_by: userId,
    scheduled_task_id: s.id,
  };
  return {
    kind,
    windowStart: window.start,
    windowEnd: window.end,
    watermark: range,
    task,
    message: taskCreatedMessage({ ...task, metadata, attempt: 0 }, subjects),
  };
}
