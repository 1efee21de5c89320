import { type DataSource } from 'typeorm';

import { TaskEntity } from '../entities/task.entity';

export interface SweepBounds {
  /** A PENDING task this old gets its message published again (then after 2×, 4×, … as long). */
  pendingMs: number;
  /** A PROCESSING task without news (no status event applied) this long is re-driven (backing off the same way). */
  processingMs: number;
  /** After this many re-drives without the task finishing, it is given up as FAILED. */
  maxRedrives: number;
  limit: number;
}

export interface SweepOutcome {
  redriven: string[];
  failed: string[];
}

/**
 * What the task sweeper needs (docs/ARCHITECTURE.md: "PostgreSQL is the source of truth; the broker is the
 * doorbell"): finds unfinished tasks that have gone quiet, under `FOR UPDATE SKIP LOCKED` so that
 * several gateways sweep without meeting, and either re-drives them (the caller publishes their
 * message again) or, past `maxRedrives`, ends them FAILED with a sentence.
 */
export class TaskSweepRepository {
  constructor(private readonly ds: DataSource) {}

  async sweep(
    b: SweepBounds,
    redrive: (task: TaskEntity) => Promise<boolean>,
  ): Promise<SweepOutcome> {
    return this.ds.transaction(async (manager) => {
      const stale: TaskEntity[] = await manager
        .createQueryBuilder(TaskEntity, 't')
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        // The k-th re-drive waits bound × 2^(k-1) after the previous one: a task that is merely
        // queued behind a long backlog gets a few extra messages, not one per bound.
        .where(
          `(t.task_status = 'PENDING' AND t.updated_at < now() - make_interval(secs => :pending)
             AND (t.redriven_at IS NULL
                  OR t.redriven_at < now() - make_interval(secs => :pending * power(2, t.redrives - 1))))
           OR (t.task_status = 'PROCESSING' AND t.updated_at < now() - make_interval(secs => :processing)
             AND (t.redriven_at IS NULL
                  OR t.redriven_at < now() - make_interval(secs => :processing * power(2, t.redrives - 1))))`,
          { pending: b.pendingMs / 1000, processing: b.processingMs / 1000 },
        )
        .orderBy('t.updated_at', 'ASC')
        .limit(b.limit)
        .getMany();
      const out: SweepOutcome = { redriven: [], failed: [] };
      for (const task of stale) {
        if (task.redrives >= b.maxRedrives) {
          const quiet = task.task_status === 'PENDING' ? 'was never picked up' : 'made no progress';
          await manager.query(
            `UPDATE tasks SET task_status = 'FAILED', failed_at = now(), updated_at = now(),
                    error_summary = $2
              WHERE id = $1`,
            [
              task.id,
              `The task ${quiet} although it was re-sent ${task.redrives} times; it was given up (retry it with PUT /v1/tasks/{id}/status)`,
            ],
          );
          out.failed.push(task.id);
        } else if (await redrive(task)) {
          await manager.query(
            `UPDATE tasks SET redrives = redrives + 1, redriven_at = now() WHERE id = $1`,
            [task.id],
          );
          out.redriven.push(task.id);
        } else {
          break; // the broker is likely down: the next sweep tries again
        }
      }
      return out;
    });
  }

  /**
   * Drops the tables EVENTS dry runs keep their keys in (`ferry_dry_ids_<task>`, docs/API.md §5)
   * once their task is over: COMPLETED, FAILED (a cancel, a failure, the sweeper giving it up) or
   * gone. The importer drops its own at the end; this catches the ends it does not see (a cancel,
   * a kill -9, a delivery that gave up). Each under its task's row lock (`FOR UPDATE SKIP
   * LOCKED`), so a retry that makes the task PROCESSING waits for the drop, and its delivery makes
   * the table again (and fills it again from the rows already counted: docs/DECISIONS.md 114).
   * Returns the tasks whose table was dropped.
   */
  async dropEndedDryRunTables(limit = 100): Promise<string[]> {
    const tables: Array<{ relname: string }> = await this.ds.query(
      `SELECT c.relname FROM pg_class c
        WHERE c.relkind = 'r' AND c.relname LIKE 'ferry\\_dry\\_ids\\_%'
          AND c.relnamespace = current_schema()::regnamespace
        ORDER BY c.relname LIMIT $1`,
      [limit],
    );
    const dropped: string[] = [];
    for (const { relname } of tables) {
      // Task ids are `task_<ULID>` (upper case): the table's name has them in lower case.
      const id = `task_${relname.slice('ferry_dry_ids_task_'.length).toUpperCase()}`;
      const ended = await this.ds.transaction(async (manager) => {
        const rows: Array<{ task_status: string; locked: boolean }> = await manager.query(
          `SELECT t.task_status, l.id IS NULL AS locked
             FROM tasks t LEFT JOIN (SELECT id FROM tasks WHERE id = $1 FOR UPDATE SKIP LOCKED) l
               ON l.id = t.id
            WHERE t.id = $1`,
          [id],
        );
        const task = rows[0];
        if (task?.locked) return false; // being changed (a retry): the next sweep
        if (task && task.task_status !== 'COMPLETED' && task.task_status !== 'FAILED') return false;
        await manager.query(`DROP TABLE IF EXISTS "${relname}"`);
        return true;
      });
      if (ended) dropped.push(id);
    }
    return dropped;
  }
}
