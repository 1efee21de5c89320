import { Inject, Injectable, Logger } from '@nestjs/common';

import { DataSource } from 'typeorm';

import { TaskStatusEvent } from '@ferry/contracts';

/**
 * Projects workers' status events into the task row. One UPDATE per event, guarded so that it is
 * idempotent and monotonic: applied only when its `seq` is newer than the last applied one, never
 * to a COMPLETED task, counters never lowered, and a FAILED task (cancelled) not revived by a late
 * progress event of the run that was cancelled. Such a late event may still count rows it committed,
 * but it does not replace the FAILED task's `error_summary`, which says why the task failed.
 */
@Injectable()
export class TaskProjectionService {
  private readonly logger = new Logger(TaskProjectionService.name);

  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  /** Returns true when the event changed the task, false when it was stale or a repeat. */
  async apply(e: TaskStatusEvent): Promise<boolean> {
    const c = e.counters;
    const rows: unknown[] = await this.ds.query(
      `UPDATE tasks SET
         last_seq = $2,
         task_status = CASE
           WHEN task_status IN ('PENDING', 'PROCESSING') THEN
             CASE $3::text WHEN 'completed' THEN 'COMPLETED' WHEN 'failed' THEN 'FAILED' ELSE 'PROCESSING' END
           ELSE task_status END,
         processed_records = GREATEST(processed_records, $4),
         successful_records = GREATEST(successful_records, $5),
         failed_records = GREATEST(failed_records, $6),
         total_records = COALESCE($7, total_records),
         error_summary = CASE WHEN task_status IN ('PENDING', 'PROCESSING')
                              THEN COALESCE($8, error_summary) ELSE error_summary END,
         metadata = metadata || $9::jsonb,
         file_url = COALESCE($10, file_url),
         started_at = COALESCE(started_at, $11),
         completed_at = CASE WHEN $3::text = 'completed' AND task_status IN ('PENDING', 'PROCESSING')
                             THEN $11 ELSE completed_at END,
         failed_at = CASE WHEN $3::text = 'failed' AND task_status IN ('PENDING', 'PROCESSING')
                          THEN $11 ELSE failed_at END,
         updated_at = now()
       WHERE id = $1 AND last_seq < $2 AND task_status <> 'COMPLETED'
       RETURNING id`,
      [
        e.task_id,
        e.seq,
        e.kind,
        c.processed_records,
        c.successful_records,
        c.failed_records,
        c.total_records ?? null,
        e.error_summary ?? null,
        JSON.stringify(e.metadata ?? {}),
        e.file_url ?? null,
        e.at,
      ],
    );
    const applied = rowCount(rows) > 0;
    if (!applied)
      this.logger.debug(`status ${e.task_id}#${e.seq} (${e.kind}) was stale or a repeat`);
    return applied;
  }
}

/** TypeORM's `query` returns `[rows, count]` for UPDATE … RETURNING on postgres. */
function rowCount(result: unknown[]): number {
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[1];
  }
  return result.length;
}
