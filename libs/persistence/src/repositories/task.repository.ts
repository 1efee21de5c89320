import { type DataSource, type EntityManager, type Repository } from 'typeorm';

import { clientTransition, type TaskStatus } from '@ferry/contracts';

import { TaskEntity } from '../entities/task.entity';
import {
  type CreateWithOutboxResult,
  type NewTask,
  type OutboxDraft,
  type StatusChangeResult,
  type TaskCount,
  type TaskListFilters,
  type TaskScope,
} from './task.types';

/** docs/API.md §1: an Idempotency-Key is honoured for 24 hours. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

const EQUALITY_FILTERS = [
  'task_type',
  'entity_type',
  'task_status',
  'status',
  'created_by',
  'scheduled_task_id',
] as const;

export class TaskRepository {
  private readonly repo: Repository<TaskEntity>;

  constructor(
    private readonly ds: DataSource,
    private readonly idempotencyTtlMs = IDEMPOTENCY_TTL_MS,
  ) {
    this.repo = ds.getRepository(TaskEntity);
  }

  /**
   * Inserts the task and its `created` message in one transaction (docs/ARCHITECTURE.md invariant 1).
   * With an idempotency key already used in the tenant+environment within the TTL, writes nothing
   * and returns the earlier task; concurrent requests with one key create one task, because the
   * insert is `ON CONFLICT DO NOTHING` on the partial unique index. The caller picks the id, so
   * it builds the `created` message before the transaction.
   */
  async createWithOutbox(task: NewTask, created: OutboxDraft): Promise<CreateWithOutboxResult> {
    const id = task.id;
    const key = task.idempotency_key ?? null;
    return this.ds.transaction(async (manager) => {
      if (key !== null) await this.releaseExpiredKey(manager, task, key);
      const inserted = await insertTaskRow(manager, task);
      if (!inserted && key !== null) {
        // Lost to an earlier (possibly concurrent, now committed) request with the same key; a
        // new statement under READ COMMITTED sees its row.
        const existing = await manager.findOneByOrFail(TaskEntity, {
          tenant_id: task.tenant_id,
          environment_id: task.environment_id,
          idempotency_key: key,
        });
        const requestMatches = existing.request_hash === (task.request_hash ?? null);
        return { created: false, existing, requestMatches };
      }
      const row = await manager.findOneByOrFail(TaskEntity, { id });
      return { created: true, task: row, outboxId: await insertOutbox(manager, created) };
    });
  }

  /**
   * A client's move through the state machine (docs/API.md §3), under a row lock so that concurrent
   * requests and the status projection see one order. Cancel marks the task FAILED with `reason`
   * (the worker notices and stops); retry moves it back to PROCESSING with `attempt + 1` and
   * writes the new attempt's `created` message to the outbox in the same transaction. That
   * message is built from the row here, under the lock, because only then is its attempt known.
   */
  async changeStatus(
    id: string,
    scope: TaskScope,
    to: TaskStatus,
    change: {
      userId: string | null;
      cancelReason: string;
      retryMessage: (t: TaskEntity) => OutboxDraft;
    },
  ): Promise<StatusChangeResult> {
    return this.ds.transaction(async (manager) => {
      const task = await manager.getRepository(TaskEntity).findOne({
        where: { id, tenant_id: scope.tenantId, environment_id: scope.environmentId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!task) return { kind: 'missing' };
      const transition = clientTransition(task.task_status, to);
      if (transition === null) return { kind: 'refused', from: task.task_status };
      if (transition === 'cancel') {
        await manager.query(
          `UPDATE tasks SET task_status = 'FAILED', error_summary = $2, failed_at = now(),
                  updated_at = now(), updated_by = $3
            WHERE id = $1`,
          [id, change.cancelReason, change.userId],
        );
        return { kind: 'cancelled', task: await manager.findOneByOrFail(TaskEntity, { id }) };
      }
      const retried = await retryTaskRow(manager, id, change.userId);
      const message = change.retryMessage(retried);
      const outboxId = await insertOutbox(manager, message);
      return { kind: 'retried', task: retried, outboxId, message };
    });
  }

  /** A task by id in any scope: for callers that checked the scope already (the SSE hub). */
  findById(id: string): Promise<TaskEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** A task of this tenant+environment, or null (another tenant's task is as good as missing). */
  findScoped(id: string, tenantId: string, environmentId: string): Promise<TaskEntity | null> {
    return this.repo.findOneBy({ id, tenant_id: tenantId, environment_id: environmentId });
  }

  /**
   * One page of tasks and the total matching the filters. The order is total (ties broken by id)
   * so pages never overlap or skip; tasks without `completed_at` come last in either direction.
   */
  async list(
    scope: TaskScope,
    f: TaskListFilters,
  ): Promise<{ items: TaskEntity[]; total: number }> {
    const qb = this.repo
      .createQueryBuilder('t')
      .where('t.tenant_id = :tenantId AND t.environment_id = :environmentId', scope);
    for (const name of EQUALITY_FILTERS) {
      const value = f[name];
      if (value !== undefined) qb.andWhere(`t.${name} = :${name}`, { [name]: value });
    }
    if (f.start_time) qb.andWhere('t.created_at >= :startTime', { startTime: f.start_time });
    if (f.end_time) qb.andWhere('t.created_at <= :endTime', { endTime: f.end_time });

    const dir = f.order === 'asc' ? 'ASC' : 'DESC';
    qb.orderBy(`t.${f.sort}`, dir, f.sort === 'completed_at' ? 'NULLS LAST' : undefined)
      .addOrderBy('t.id', dir)
      .offset(f.offset)
      .limit(f.limit);
    const [items, total] = await qb.getManyAndCount();
    return { items, total };
  }

  /** How many tasks there are by type, entity type and status, over every tenant (a gauge). */
  async countByStatus(): Promise<TaskCount[]> {
    const rows: Array<Omit<TaskCount, 'count'> & { n: string }> = await this.ds.query(
      `SELECT task_type, entity_type, task_status, count(*) AS n
         FROM tasks GROUP BY task_type, entity_type, task_status`,
    );
    return rows.map(({ n, ...labels }) => ({ ...labels, count: Number(n) }));
  }

  /**
   * After the TTL an idempotency key may be used again: it is taken off the old task so the
   * unique index lets the new one in.
   */
  private async releaseExpiredKey(
    manager: EntityManager,
    task: NewTask,
    key: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE tasks SET idempotency_key = NULL
        WHERE tenant_id = $1 AND environment_id = $2 AND idempotency_key = $3
          AND created_at < now() - make_interval(secs => $4)`,
      [task.tenant_id, task.environment_id, key, this.idempotencyTtlMs / 1000],
    );
  }
}

export async function insertOutbox(manager: EntityManager, msg: OutboxDraft): Promise<string> {
  const rows: { id: string }[] = await manager.query(
    `INSERT INTO outbox (subject, msg_id, payload, headers)
     VALUES ($1, $2, $3::jsonb, $4::jsonb) RETURNING id`,
    [
      msg.subject,
      msg.msgId,
      JSON.stringify(msg.payload),
      msg.headers ? JSON.stringify(msg.headers) : null,
    ],
  );
  return String(rows[0].id);
}

/**
 * Inserts a new task row on the caller's transaction (with its outbox row, the caller makes it
 * invariant 1); false when its idempotency key was taken meanwhile. Also the scheduler's insert.
 */
export async function insertTaskRow(manager: EntityManager, task: NewTask): Promise<boolean> {
  const inserted: unknown[] = await manager.query(
    `INSERT INTO tasks (id, tenant_id, environment_id, task_type, entity_type, file_type,
                        file_url, file_name, metadata, created_by, updated_by, workflow_id,
                        scheduled_task_id, idempotency_key, request_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $10, $11, $12, $13, $14)
     ON CONFLICT (tenant_id, environment_id, idempotency_key)
       WHERE idempotency_key IS NOT NULL DO NOTHING
     RETURNING id`,
    [
      task.id,
      task.tenant_id,
      task.environment_id,
      task.task_type,
      task.entity_type,
      task.file_type,
      task.file_url,
      task.file_name ?? null,
      JSON.stringify(task.metadata ?? {}),
      task.created_by ?? null,
      task.workflow_id ?? null,
      task.scheduled_task_id ?? null,
      task.idempotency_key ?? null,
      task.request_hash ?? null,
    ],
  );
  return inserted.length > 0;
}

/**
 * The retry of a FAILED task the caller has locked (docs/API.md §3): PROCESSING, the next
 * attempt, the sweeper's count reset. The caller writes the new attempt's message to the outbox
 * in the same transaction. A client's retry and a schedule's retry of a failed run both use it.
 */
export async function retryTaskRow(
  manager: EntityManager,
  id: string,
  userId: string | null,
): Promise<TaskEntity> {
  await manager.query(
    `UPDATE tasks SET task_status = 'PROCESSING', attempt = attempt + 1, error_summary = NULL,
            failed_at = NULL, redrives = 0, redriven_at = NULL, updated_at = now(),
            updated_by = $2
      WHERE id = $1`,
    [id, userId],
  );
  return manager.findOneByOrFail(TaskEntity, { id });
}
