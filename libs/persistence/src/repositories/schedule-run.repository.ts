import { type DataSource, type EntityManager } from 'typeorm';

import { isCancelSummary } from '@ferry/contracts';

import { type TaskEntity } from '../entities/task.entity';
import { type CommittedRun, type PlannedRun, type ScheduledTaskRow } from './scheduled-task.types';
import { insertOutbox, insertTaskRow, retryTaskRow } from './task.repository';
import { type OutboxDraft, type TaskScope } from './task.types';

/**
 * The runs of scheduled exports (docs/API.md §4). Each run is an EXPORT task, written with its
 * outbox row, its run row and the schedule's new cursor in one transaction on the locked schedule
 * row (docs/ARCHITECTURE.md invariant 11): however many gateways schedule, a slot runs once (its
 * run row is also unique), and a crash leaves either all of it or none.
 */
export class ScheduleRunRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Takes one schedule due at `now` that no other scheduler holds (`SKIP LOCKED`), and writes
   * the run `plan` makes of it, given the ingestion watermark taken under the lock (the oldest
   * transaction still running: every lower id has ended). `plan` returning null writes nothing
   * but `cursor` when it gives one (a disabled schedule's cursor moving on). Null when nothing
   * was due.
   */
  async runDue(
    now: Date,
    plan: (
      s: ScheduledTaskRow,
      watermark: string,
    ) => PlannedRun | { cursor: { slotStart: Date; runAt: Date; skipped: number } },
  ): Promise<CommittedRun | 'advanced' | null> {
    return this.ds.transaction(async (m) => {
      const rows: ScheduledTaskRow[] = await m.query(
        `SELECT *, watermark::text AS watermark FROM scheduled_tasks
          WHERE enabled AND status = 'published' AND next_run_at <= $1
          ORDER BY next_run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [now],
      );
      if (rows.length === 0) return null;
      const planned = plan(rows[0], await currentWatermark(m, rows[0].watermark));
      if ('cursor' in planned) {
        await moveCursor(m, rows[0].id, planned.cursor);
        return 'advanced';
      }
      return writeRun(m, rows[0], planned);
    });
  }

  /**
   * A forced run (`POST …/run`) of a published schedule of this scope, on its locked row; null
   * when there is no such schedule. `plan` may refuse with a sentence.
   */
  async runNow(
    id: string,
    scope: TaskScope,
    plan: (s: ScheduledTaskRow, watermark: string) => PlannedRun | { refused: string },
  ): Promise<CommittedRun | { refused: string } | null> {
    return this.ds.transaction(async (m) => {
      const rows: ScheduledTaskRow[] = await m.query(
        `SELECT *, watermark::text AS watermark FROM scheduled_tasks
          WHERE id = $1 AND tenant_id = $2 AND environment_id = $3 FOR UPDATE`,
        [id, scope.tenantId, scope.environmentId],
      );
      if (rows.length === 0) return null;
      const planned = plan(rows[0], await currentWatermark(m, rows[0].watermark));
      if ('refused' in planned) return planned;
      return writeRun(m, rows[0], planned);
    });
  }

  /**
   * Retries failed runs with backoff (docs/API.md §4): a run whose task FAILED (not cancelled)
   * gets its retry time `backoffMs[retries]` after the scheduler first sees it; once that time
   * has come, the task is retried like a client's retry (the next attempt, its message in the
   * outbox) — until `backoffMs.length` retries were made; then it stays FAILED with its reason.
   */
  async retryFailed(
    now: Date,
    backoffMs: readonly number[],
    limit: number,
    messageOf: (t: TaskEntity) => OutboxDraft,
  ): Promise<CommittedRun[]> {
    return this.ds.transaction(async (m) => {
      const runs: Array<{
        task_id: string;
        scheduled_task_id: string;
        retries: number;
        retry_at: Date | null;
        error_summary: string | null;
        window_start: Date;
        window_end: Date;
      }> = await m.query(
        `SELECT r.task_id, r.scheduled_task_id, r.retries, r.retry_at, t.error_summary,
                r.window_start, r.window_end
           FROM scheduled_task_runs r
           JOIN tasks t ON t.id = r.task_id
           JOIN scheduled_tasks s ON s.id = r.scheduled_task_id
          WHERE t.task_status = 'FAILED' AND r.retries < $1 AND s.status = 'published'
            AND (r.retry_at IS NULL OR r.retry_at <= $2)
          ORDER BY r.created_at LIMIT $3
          FOR UPDATE OF r, t SKIP LOCKED`,
        [backoffMs.length, now, limit],
      );
      const retried: CommittedRun[] = [];
      for (const run of runs) {
        if (isCancelSummary(run.error_summary)) continue;
        if (run.retry_at === null) {
          const at = new Date(now.getTime() + backoffMs[run.retries]);
          await m.query(`UPDATE scheduled_task_runs SET retry_at = $2 WHERE task_id = $1`, [
            run.task_id,
            at,
          ]);
          continue;
        }
        const task = await retryTaskRow(m, run.task_id, null);
        const message = messageOf(task);
        const outboxId = await insertOutbox(m, message);
        await m.query(
          `UPDATE scheduled_task_runs SET retries = retries + 1, retry_at = NULL WHERE task_id = $1`,
          [run.task_id],
        );
        retried.push({
          scheduledTaskId: run.scheduled_task_id,
          taskId: run.task_id,
          outboxId,
          message,
          windowStart: run.window_start,
          windowEnd: run.window_end,
        });
      }
      return retried;
    });
  }
}

/** `pg_snapshot_xmin` now, never below the schedule's last watermark (monotone). */
async function currentWatermark(m: EntityManager, last: string): Promise<string> {
  const [{ w }]: { w: string }[] = await m.query(
    `SELECT GREATEST(pg_snapshot_xmin(pg_current_snapshot()), $1::xid8)::text AS w`,
    [last],
  );
  return w;
}

async function moveCursor(
  m: EntityManager,
  id: string,
  c: { slotStart: Date; runAt: Date; skipped: number },
): Promise<void> {
  await m.query(
    `UPDATE scheduled_tasks SET next_slot_start = $2, next_run_at = $3,
            skipped_slots = skipped_slots + $4, updated_at = now()
      WHERE id = $1`,
    [id, c.slotStart, c.runAt, c.skipped],
  );
}

async function writeRun(
  m: EntityManager,
  s: ScheduledTaskRow,
  run: PlannedRun,
): Promise<CommittedRun> {
  await insertTaskRow(m, run.task);
  const outboxId = await insertOutbox(m, run.message);
  // A slot's run row is unique: a second writer of the same slot fails here and rolls back.
  await m.query(
    `INSERT INTO scheduled_task_runs (task_id, scheduled_task_id, kind, window_start, window_end,
                                      watermark_from, watermark_to)
     VALUES ($1, $2, $3, $4, $5, $6::xid8, $7::xid8)`,
    [
      run.task.id,
      s.id,
      run.kind,
      run.windowStart,
      run.windowEnd,
      run.watermark?.from ?? null,
      run.watermark?.to ?? null,
    ],
  );
  if (run.watermark) {
    await m.query(
      `UPDATE scheduled_tasks SET watermark = $2::xid8, watermark_at = $3 WHERE id = $1`,
      [s.id, run.watermark.to, run.windowEnd],
    );
  }
  if (run.next) await moveCursor(m, s.id, run.next);
  return {
    scheduledTaskId: s.id,
    taskId: run.task.id,
    outboxId,
    message: run.message,
    windowStart: run.windowStart,
    windowEnd: run.windowEnd,
  };
}
