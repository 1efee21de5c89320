import { createHash } from 'crypto';

import { Injectable } from '@nestjs/common';

import {
  cancelSummary,
  ErrorCode,
  FerryError,
  newId,
  parseExportConnection,
  Subjects,
  TaskStatus,
  TaskType,
} from '@ferry/contracts';
import { ConnectionRepository, type NewTask, TaskRepository } from '@ferry/persistence';

import type { Principal } from '../auth/principal';
import { OutboxRelay } from '../delivery/outbox.relay';
import { taskCreatedMessage } from '../delivery/task-created.message';
import type { CreateTaskDto } from './create-task.dto';
import type { ListTasksQuery } from './list-tasks.query';
import { TaskResponse, toTaskResponse } from './task-response';

@Injectable()
export class TasksService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly relay: OutboxRelay,
    private readonly subjects: Subjects,
    private readonly connections: ConnectionRepository,
  ) {}

  /**
   * The task row and its `task.created` outbox row commit together (no lost task:
   * docs/ARCHITECTURE.md invariant 1); the relay then publishes at once, and its sweeper catches
   * whatever that publish missed. The service picks the id, so the message is ready before the
   * transaction starts.
   */
  async create(p: Principal, dto: CreateTaskDto, idempotencyKey?: string): Promise<TaskResponse> {
    const metadata = dto.metadata ?? {};
    await this.checkConnection(p, dto, metadata);
    const task: NewTask = {
      id: newId('task'),
      tenant_id: p.tenantId,
      environment_id: p.environmentId,
      task_type: dto.task_type,
      entity_type: dto.entity_type,
      file_type: dto.file_type,
      file_url: dto.file_url,
      file_name: dto.file_name ?? null,
      metadata,
      created_by: p.userId,
      idempotency_key: idempotencyKey ?? null,
      request_hash: idempotencyKey ? hashRequest(dto) : null,
    };
    const message = taskCreatedMessage({ ...task, metadata, attempt: 0 }, this.subjects);
    const result = await this.tasks.createWithOutbox(task, message);
    if (!result.created) {
      if (!result.requestMatches) {
        throw new FerryError(
          ErrorCode.ALREADY_EXISTS,
          'This Idempotency-Key was already used with a different request body',
          { idempotency_key: idempotencyKey, task_id: result.existing.id },
        );
      }
      return toTaskResponse(result.existing);
    }
    this.relay.publishSoon({ id: result.outboxId, ...message });
    return toTaskResponse(result.task);
  }

  /** An export through a registered connection (docs/API.md §4) writes s3:// with its secrets. */
  private async checkConnection(
    p: Principal,
    dto: CreateTaskDto,
    metadata: Record<string, unknown>,
  ): Promise<void> {
    if (dto.task_type !== TaskType.EXPORT) return;
    const connection = parseExportConnection(metadata);
    if (!connection) return;
    const scope = { tenantId: p.tenantId, environmentId: p.environmentId };
    const problem = !/^s3:\/\//i.test(dto.file_url)
      ? 'metadata.connection names an S3 connection, so file_url must be an s3:// URL'
      : !(await this.connections.find(connection.connection_id, scope))
        ? `metadata.connection.connection_id "${connection.connection_id}" names no connection of this environment`
        : null;
    if (problem)
      throw FerryError.validation(problem, { fields: { 'metadata.connection': [problem] } });
  }

  /**
   * `PUT /v1/tasks/{id}/status` (docs/API.md §3). Cancel writes FAILED at once (the worker sees it within
   * a second and stops, keeping what it committed); retry writes PROCESSING with the next attempt
   * and its `created` message through the outbox, and the worker resumes from the checkpoint.
   */
  async changeStatus(p: Principal, id: string, to: TaskStatus): Promise<{ message: string }> {
    const result = await this.tasks.changeStatus(
      id,
      { tenantId: p.tenantId, environmentId: p.environmentId },
      to,
      {
        userId: p.userId,
        cancelReason: cancelSummary(p.userId),
        retryMessage: (task) => taskCreatedMessage(task, this.subjects),
      },
    );
    switch (result.kind) {
      case 'missing':
        throw FerryError.notFound('Task', id);
      case 'refused':
        throw new FerryError(
          ErrorCode.INVALID_OPERATION,
          `A ${result.from} task cannot be moved to ${to}`,
          { from: result.from, to },
        );
      case 'cancelled':
        return { message: `Task ${id} was cancelled; the rows already committed stay` };
      case 'retried':
        this.relay.publishSoon({ id: result.outboxId, ...result.message });
        return {
          message: `Task ${id} is being retried (attempt ${result.task.attempt}) from where it stopped`,
        };
    }
  }

  async get(p: Principal, id: string): Promise<TaskResponse> {
    const task = await this.tasks.findScoped(id, p.tenantId, p.environmentId);
    if (!task) throw FerryError.notFound('Task', id);
    return toTaskResponse(task);
  }

  async list(p: Principal, q: ListTasksQuery) {
    if (q.start_time && q.end_time && Date.parse(q.start_time) > Date.parse(q.end_time)) {
      throw FerryError.validation('start_time must not be after end_time', {
        fields: { start_time: ['must not be after end_time'] },
      });
    }
    const { items, total } = await this.tasks.list(
      { tenantId: p.tenantId, environmentId: p.environmentId },
      {
        ...q,
        start_time: q.start_time ? new Date(q.start_time) : undefined,
        end_time: q.end_time ? new Date(q.end_time) : undefined,
      },
    );
    return {
      items: items.map(toTaskResponse),
      pagination: { total, limit: q.limit, offset: q.offset },
    };
  }
}

function hashRequest(dto: CreateTaskDto): string {
  return createHash('sha256').update(canonicalJson(dto)).digest('hex');
}

/** JSON with sorted keys, so that the same body in another key order hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
