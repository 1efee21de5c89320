import { type DataSource, type EntityManager } from 'typeorm';

import {
  type ScheduledTaskFilters,
  type ScheduledTaskRow,
  type ScheduledTaskView,
} from './scheduled-task.types';
import { type TaskScope } from './task.types';

const VIEW = `SELECT s.*, s.watermark::text AS watermark, r.created_at AS last_run_at,
         t.task_status AS last_run_status, t.error_summary AS last_run_error
    FROM scheduled_tasks s
    LEFT JOIN LATERAL (SELECT task_id, created_at FROM scheduled_task_runs
                        WHERE scheduled_task_id = s.id ORDER BY created_at DESC, task_id DESC LIMIT 1) r ON true
    LEFT JOIN tasks t ON t.id = r.task_id`;

/** The SQL of a schedule's definition (its runs are `ScheduleRunRepository`'s). */
export class ScheduledTaskRepository {
  constructor(private readonly ds: DataSource) {}

  async create(
    s: Omit<
      ScheduledTaskRow,
      'status' | 'watermark' | 'skipped_slots' | 'created_at' | 'updated_at' | 'updated_by'
    >,
  ): Promise<ScheduledTaskView> {
    await this.ds.query(
      `INSERT INTO scheduled_tasks (id, tenant_id, environment_id, connection_id, entity_type,
              interval, enabled, job_config, next_slot_start, next_run_at, watermark_at,
              created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $12)`,
      [
        s.id,
        s.tenant_id,
        s.environment_id,
        s.connection_id,
        s.entity_type,
        s.interval,
        s.enabled,
        JSON.stringify(s.job_config),
        s.next_slot_start,
        s.next_run_at,
        s.watermark_at,
        s.created_by,
      ],
    );
    const view = await this.find(s.id, { tenantId: s.tenant_id, environmentId: s.environment_id });
    if (!view) throw new Error(`scheduled task ${s.id} vanished after its insert`);
    return view;
  }

  /** A schedule of this scope (archived ones too: GET shows them as such), or null. */
  async find(id: string, scope: TaskScope): Promise<ScheduledTaskView | null> {
    const rows: ScheduledTaskView[] = await this.ds.query(
      `${VIEW} WHERE s.id = $1 AND s.tenant_id = $2 AND s.environment_id = $3`,
      [id, scope.tenantId, scope.environmentId],
    );
    return rows[0] ?? null;
  }

  /** Published schedules matching the filters, newest first, and how many match in all. */
  async list(
    scope: TaskScope,
    f: ScheduledTaskFilters,
  ): Promise<{ items: ScheduledTaskView[]; total: number }> {
    const where = [`s.tenant_id = $1`, `s.environment_id = $2`, `s.status = 'published'`];
    const params: unknown[] = [scope.tenantId, scope.environmentId];
    for (const key of ['connection_id', 'entity_type', 'interval', 'enabled'] as const) {
      if (f[key] === undefined) continue;
      params.push(f[key]);
      where.push(`s.${key} = $${params.length}`);
    }
    const clause = where.join(' AND ');
    const [{ n }]: { n: string }[] = await this.ds.query(
      `SELECT count(*) AS n FROM scheduled_tasks s WHERE ${clause}`,
      params,
    );
    const items: ScheduledTaskView[] = await this.ds.query(
      `${VIEW} WHERE ${clause} ORDER BY s.created_at DESC, s.id DESC
        LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, f.limit, f.offset],
    );
    return { items, total: Number(n) };
  }

  /**
   * Runs `change` on the locked row of a schedule of this scope; null when there is none. What
   * `change` returns is written (enabled, status, the cursor), in the same transaction.
   */
  async update(
    id: string,
    scope: TaskScope,
    change: (
      s: ScheduledTaskRow,
    ) =>
      | (Partial<
          Pick<ScheduledTaskRow, 'enabled' | 'status' | 'next_slot_start' | 'next_run_at'>
        > & { updated_by: string | null })
      | { refused: string },
  ): Promise<{ schedule: ScheduledTaskView | null; refused?: string }> {
    const refused = await this.ds.transaction(async (m: EntityManager) => {
      const rows: ScheduledTaskRow[] = await m.query(
        `SELECT * FROM scheduled_tasks WHERE id = $1 AND tenant_id = $2 AND environment_id = $3 FOR UPDATE`,
        [id, scope.tenantId, scope.environmentId],
      );
      if (rows.length === 0) return null;
      const next = change(rows[0]);
      if ('refused' in next) return next.refused;
      const sets = Object.keys(next).map((k, i) => `${k} = $${i + 2}`);
      await m.query(
        `UPDATE scheduled_tasks SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`,
        [id, ...Object.values(next)],
      );
      return null;
    });
    const schedule = await this.find(id, scope);
    return refused === null ? { schedule } : { schedule, refused };
  }
}
