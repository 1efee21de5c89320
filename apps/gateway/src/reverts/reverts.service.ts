import { Inject, Injectable } from '@nestjs/common';

import { DataSource } from 'typeorm';

import {
  ErrorCode,
  FerryError,
  newId,
  parseImportPolicy,
  parseRevertOf,
  Subjects,
  TaskStatus,
  TaskType,
} from '@ferry/contracts';
import { type NewTask, type TaskEntity, TaskRepository, withClient } from '@ferry/persistence';
import { IMPORT_DEFINITIONS, PREVIEW_KEPT_ROWS, previewRevert } from '@ferry/transfer';

import type { Principal } from '../auth/principal';
import { OutboxRelay } from '../delivery/outbox.relay';
import { taskCreatedMessage } from '../delivery/task-created.message';
import { GatewayConfig } from '../gateway.config';
import { type TaskResponse, toTaskResponse } from '../tasks/task-response';
import type { RevertPreview } from './revert-preview.dto';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * `GET /v1/tasks/{id}/revert` (what a revert would do) and `POST /v1/tasks/{id}/revert` (do it, as
 * a task): docs/API.md §5. A revert is an IMPORT task of the same entity type whose
 * `metadata.revert_of` names the import, so every client that reads tasks (the SDK, the CLI, the
 * dashboard) reads it unchanged; one per import, ever (a unique index).
 */
@Injectable()
export class RevertsService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly relay: OutboxRelay,
    private readonly subjects: Subjects,
    private readonly config: GatewayConfig,
    @Inject(DataSource) private readonly ds: DataSource,
  ) {}

  async preview(p: Principal, id: string): Promise<RevertPreview> {
    const task = await this.revertable(p, id);
    const shape = this.shapeOf(task);
    const target = {
      taskId: task.id,
      entity: task.entity_type,
      tenantId: task.tenant_id,
      environmentId: task.environment_id,
    };
    const existing = await this.existingRevert(id);
    const outcome = await withClient(this.ds, (c) => previewRevert(c, shape, target));
    return {
      task_id: id,
      entity_type: task.entity_type,
      revert_task_id: existing,
      would_delete: outcome.deleted,
      would_restore: outcome.restored,
      would_keep: outcome.keptCount,
      kept: outcome.kept.slice(0, PREVIEW_KEPT_ROWS),
      before_images_expire_at: this.expiry(task)?.toISOString() ?? null,
    };
  }

  async create(p: Principal, id: string): Promise<TaskResponse> {
    const original = await this.revertable(p, id);
    const existing = await this.existingRevert(id);
    if (existing) throw this.twice(id, existing);
    const metadata = { revert_of: id };
    const task: NewTask = {
      id: newId('task'),
      tenant_id: p.tenantId,
      environment_id: p.environmentId,
      task_type: TaskType.IMPORT,
      entity_type: original.entity_type,
      file_type: original.file_type,
      file_url: original.file_url,
      file_name: original.file_name,
      metadata,
      created_by: p.userId,
      idempotency_key: null,
      request_hash: null,
    };
    const message = taskCreatedMessage({ ...task, metadata, attempt: 0 }, this.subjects);
    let result;
    try {
      result = await this.tasks.createWithOutbox(task, message);
    } catch (err) {
      // Two reverts of one import at once: the unique index lets one through.
      const other =
        (err as { code?: string } | null)?.code === '23505' ? await this.existingRevert(id) : null;
      if (other) throw this.twice(id, other);
      throw err;
    }
    if (!result.created)
      throw new FerryError(ErrorCode.INTERNAL, 'the revert task was not created');
    this.relay.publishSoon({ id: result.outboxId, ...message });
    return toTaskResponse(result.task);
  }

  /** A finished or cancelled import of the caller's scope, that wrote rows and is not a revert. */
  private async revertable(p: Principal, id: string): Promise<TaskEntity> {
    const task = await this.tasks.findScoped(id, p.tenantId, p.environmentId);
    if (!task) throw FerryError.notFound('Task', id);
    const refuse = (why: string) =>
      new FerryError(ErrorCode.INVALID_OPERATION, `Task ${id} cannot be reverted: ${why}`, {
        task_id: id,
      });
    if (task.task_type !== TaskType.IMPORT) throw refuse('it is an export, which writes no rows');
    if (parseRevertOf(task.metadata) !== null) throw refuse('it is itself a revert');
    if (parseImportPolicy(task.metadata).dryRun)
      throw refuse('it is a dry run, which wrote no rows');
    if (task.task_status !== TaskStatus.COMPLETED && task.task_status !== TaskStatus.FAILED) {
      throw refuse(`it is ${task.task_status}; cancel it first or wait for it to end`);
    }
    const expiry = this.expiry(task);
    if (expiry && expiry.getTime() < Date.now()) {
      throw refuse(
        `its before-images were kept ${this.config.FERRY_REVERT_RETENTION_DAYS} days and expired at ${expiry.toISOString()}`,
      );
    }
    return task;
  }

  private shapeOf(task: TaskEntity) {
    const definition = IMPORT_DEFINITIONS.get(task.entity_type);
    if (!definition) throw FerryError.validation(`${task.entity_type} imports cannot be reverted`);
    return definition.revert;
  }

  /** Before-images live FERRY_REVERT_RETENTION_DAYS from the import's creation. */
  private expiry(task: TaskEntity): Date | null {
    return new Date(task.created_at.getTime() + this.config.FERRY_REVERT_RETENTION_DAYS * DAY_MS);
  }

  private async existingRevert(id: string): Promise<string | null> {
    const rows: Array<{ id: string }> = await this.ds.query(
      `SELECT id FROM tasks WHERE metadata ? 'revert_of' AND metadata->>'revert_of' = $1`,
      [id],
    );
    return rows[0]?.id ?? null;
  }

  private twice(id: string, existing: string): FerryError {
    return new FerryError(
      ErrorCode.ALREADY_EXISTS,
      `Task ${id} has a revert already (${existing}); an import is reverted once (retry that task if it failed)`,
      { task_id: existing },
    );
  }
}
