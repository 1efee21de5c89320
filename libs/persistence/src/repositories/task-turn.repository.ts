import { Client } from 'pg';
import { type DataSource } from 'typeorm';

/** A turn held: a session advisory lock on a connection of its own. */
export interface TurnLock {
  release(): Promise<void>;
}

/** A parked import's message, to publish again. */
export interface ParkedMessage {
  taskId: string;
  subject: string;
  message: Record<string, unknown>;
}

/**
 * The turns of a tenant's imports (migration 1795900003100, docs/DECISIONS.md 125). A turn is
 * one of `limit` session advisory locks of a key (tenant, environment, entity type), held on a
 * connection of its own for as long as the import runs, so a worker killed mid-import frees its
 * turn with its connection, and nothing needs a lease or a clean-up. A task that finds no turn
 * free waits in `task_turn_waits` with its message.
 */
export class TaskTurnRepository {
  constructor(private readonly ds: DataSource) {}

  /** One of the key's `limit` turns, or null when all are taken. */
  async tryTake(key: string, limit: number): Promise<TurnLock | null> {
    const url = (this.ds.options as { url?: string }).url;
    // Named after the process, so an operator (and the fault suite) sees which worker holds it.
    const client = new Client({
      connectionString: url,
      application_name: `ferry-turn:${process.pid}`,
    });
    client.on('error', () => undefined); // a lost connection only ends the turn
    await client.connect();
    try {
      for (let slot = 0; slot < limit; slot++) {
        const { rows } = await client.query<{ ok: boolean }>(
          'SELECT pg_try_advisory_lock(hashtext($1), $2) AS ok',
          [key, slot],
        );
        if (rows[0]?.ok) return { release: () => client.end().catch(() => undefined) };
      }
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    await client.end().catch(() => undefined);
    return null;
  }

  /**
   * Parks a task until a turn of `key` frees. It stays PENDING; its sweeper clock restarts and
   * its re-drives are forgotten, because a worker has it in hand: the sweeper re-sends a parked
   * task only as the backstop of a lost hand-over, and never gives it up for waiting.
   */
  async park(taskId: string, key: string, subject: string, message: object): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.query(
        `INSERT INTO task_turn_waits (task_id, turn_key, subject, message) VALUES ($1, $2, $3, $4)
         ON CONFLICT (task_id) DO NOTHING`,
        [taskId, key, subject, JSON.stringify(message)],
      );
      await m.query(
        `UPDATE tasks SET updated_at = now(), redrives = 0, redriven_at = NULL
          WHERE id = $1 AND task_status = 'PENDING'`,
        [taskId],
      );
    });
  }

  /** Takes the task out of the waiting list; false when someone handed it a turn already. */
  async unpark(taskId: string): Promise<boolean> {
    const rows = (await this.ds.query(
      `DELETE FROM task_turn_waits WHERE task_id = $1 RETURNING task_id`,
      [taskId],
    )) as unknown[];
    return rowCount(rows) > 0;
  }

  /**
   * The oldest task waiting for a turn of `key` that can still run, taken off the list (tasks that
   * ended meanwhile, cancelled say, and messages of an attempt since retried are dropped on the
   * way: their delivery would do nothing, and hand the turn to nobody).
   */
  async next(key: string): Promise<ParkedMessage | null> {
    await this.ds.query(
      `DELETE FROM task_turn_waits w USING tasks t
        WHERE w.turn_key = $1 AND t.id = w.task_id
          AND (t.task_status IN ('COMPLETED', 'FAILED')
               OR coalesce((w.message->>'attempt')::int, 0) < t.attempt)`,
      [key],
    );
    const rows = (await this.ds.query(
      `DELETE FROM task_turn_waits WHERE task_id = (
         SELECT task_id FROM task_turn_waits WHERE turn_key = $1
          ORDER BY parked_at, task_id LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING task_id, subject, message`,
      [key],
    )) as unknown;
    const row = firstRow(rows) as
      { task_id: string; subject: string; message: Record<string, unknown> } | undefined;
    return row ? { taskId: row.task_id, subject: row.subject, message: row.message } : null;
  }
}

// TypeORM's query() answers a DELETE … RETURNING with [rows, count] on PostgreSQL.
function firstRow(result: unknown): unknown {
  if (Array.isArray(result) && Array.isArray(result[0])) return (result[0] as unknown[])[0];
  return Array.isArray(result) ? result[0] : undefined;
}

function rowCount(result: unknown[]): number {
  if (Array.isArray(result[0])) return (result[0] as unknown[]).length;
  return result.length;
}
