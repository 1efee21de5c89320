import { Inject, Injectable } from '@nestjs/common';

import {
  BUILT_IN_STORE_CONNECTION,
  ErrorCode,
  FerryError,
  type JobConfig,
  newId,
  parseJobConfig,
  parseRunWindow,
  parseScheduledEntity,
  RecordStatus,
  scheduledEntityName,
  type ScheduleInterval,
  Subjects,
} from '@ferry/contracts';
import { storeBucketList } from '@ferry/files';
import {
  ConnectionRepository,
  ScheduledTaskRepository,
  type ScheduledTaskRow,
  type ScheduledTaskView,
  ScheduleRunRepository,
} from '@ferry/persistence';

import type { Principal } from '../auth/principal';
import { OutboxRelay } from '../delivery/outbox.relay';
import { planForcedRun, startCursor } from '../delivery/schedule-run.planner';
import { type Clock, SCHEDULER_CLOCK } from '../delivery/task.scheduler';
import { GatewayConfig } from '../gateway.config';
import type {
  CreateScheduledTaskDto,
  ListScheduledTasksQuery,
  ScheduledTaskResponse,
  TriggerRunDto,
  TriggerRunResponse,
} from './scheduled-task.dto';

/** Flexprice's `/v1/tasks/scheduled` (docs/API.md §4), scoped like tasks. */
@Injectable()
export class ScheduledTasksService {
  private readonly storeBuckets: readonly string[];

  constructor(
    private readonly schedules: ScheduledTaskRepository,
    private readonly runs: ScheduleRunRepository,
    private readonly connections: ConnectionRepository,
    private readonly relay: OutboxRelay,
    private readonly subjects: Subjects,
    config: GatewayConfig,
    @Inject(SCHEDULER_CLOCK) private readonly clock: Clock,
  ) {
    this.storeBuckets = storeBucketList(config.FERRY_STORE_BUCKETS);
  }

  async create(p: Principal, dto: CreateScheduledTaskDto): Promise<ScheduledTaskResponse> {
    const entity = parseScheduledEntity(dto.entity_type);
    const builtIn = dto.connection_id === BUILT_IN_STORE_CONNECTION;
    if (!builtIn && !(await this.connections.find(dto.connection_id, scopeOf(p)))) {
      const message = `connection_id "${dto.connection_id}" names no connection of this environment; register one with POST /v1/connections, or use "${BUILT_IN_STORE_CONNECTION}" for the built-in store`;
      throw FerryError.validation(message, { fields: { connection_id: [message] } });
    }
    const cfg = parseJobConfig(dto.job_config, {
      entity,
      builtIn,
      storeBuckets: this.storeBuckets,
    });
    const now = this.clock.now();
    const view = await this.schedules.create({
      id: newId('schtask', now.getTime()),
      tenant_id: p.tenantId,
      environment_id: p.environmentId,
      connection_id: dto.connection_id,
      entity_type: entity,
      interval: dto.interval,
      enabled: dto.enabled ?? true,
      job_config: cfg as unknown as Record<string, unknown>,
      ...startCursor(dto.interval, cfg, now),
      watermark_at: now,
      created_by: p.userId,
    });
    return toScheduledTaskResponse(view);
  }

  async get(p: Principal, id: string): Promise<ScheduledTaskResponse> {
    const view = await this.schedules.find(id, scopeOf(p));
    if (!view) throw FerryError.notFound('Scheduled task', id);
    return toScheduledTaskResponse(view);
  }

  async list(p: Principal, q: ListScheduledTasksQuery) {
    const { items, total } = await this.schedules.list(scopeOf(p), {
      connection_id: q.connection_id,
      entity_type: q.entity_type === undefined ? undefined : parseScheduledEntity(q.entity_type),
      interval: q.interval,
      enabled: q.enabled,
      limit: q.limit,
      offset: q.offset,
    });
    return {
      items: items.map(toScheduledTaskResponse),
      pagination: { total, limit: q.limit, offset: q.offset },
    };
  }

  /**
   * Pauses or resumes. A resumed schedule starts again at the slot that holds now: slots while
   * it was paused are not caught up (catch-up is for downtime), and an incremental one loses
   * nothing, as its next run exports everything written since its last.
   */
  async setEnabled(p: Principal, id: string, enabled: boolean): Promise<ScheduledTaskResponse> {
    const now = this.clock.now();
    const { schedule, refused } = await this.schedules.update(id, scopeOf(p), (s) => {
      if (s.status === RecordStatus.ARCHIVED) return { refused: archivedSentence(id) };
      if (s.enabled === enabled) return { updated_by: s.updated_by };
      const cursor = enabled ? startCursor(s.interval as ScheduleInterval, configOf(s), now) : {};
      return { enabled, ...cursor, updated_by: p.userId };
    });
    if (!schedule) throw FerryError.notFound('Scheduled task', id);
    if (refused)
      throw new FerryError(ErrorCode.INVALID_OPERATION, refused, { status: schedule.status });
    return toScheduledTaskResponse(schedule);
  }

  /** Archives it: it never runs again; its runs (tasks) stay. A second delete is refused. */
  async archive(p: Principal, id: string): Promise<void> {
    const { schedule, refused } = await this.schedules.update(id, scopeOf(p), (s) =>
      s.status === RecordStatus.ARCHIVED
        ? { refused: archivedSentence(id) }
        : { status: RecordStatus.ARCHIVED, enabled: false, updated_by: p.userId },
    );
    if (!schedule) throw FerryError.notFound('Scheduled task', id);
    if (refused)
      throw new FerryError(ErrorCode.INVALID_OPERATION, refused, { status: schedule.status });
  }

  /** `POST …/run`: one more run now, or over a custom window (docs/API.md §4). */
  async run(
    p: Principal,
    id: string,
    body: TriggerRunDto | undefined,
  ): Promise<TriggerRunResponse> {
    const now = this.clock.now();
    const custom = parseRunWindow(body, now);
    const result = await this.runs.runNow(id, scopeOf(p), (s, watermark) =>
      s.status === RecordStatus.ARCHIVED
        ? { refused: archivedSentence(id) }
        : planForcedRun(s, now, watermark, custom, p.userId, this.subjects),
    );
    if (!result) throw FerryError.notFound('Scheduled task', id);
    if ('refused' in result) throw new FerryError(ErrorCode.INVALID_OPERATION, result.refused);
    this.relay.publishSoon({ id: result.outboxId, ...result.message });
    return {
      workflow_id: result.taskId,
      message: `Export task ${result.taskId} was created; follow it with GET /v1/tasks/${result.taskId}`,
      mode: custom ? 'custom' : 'automatic',
      start_time: result.windowStart.toISOString(),
      end_time: result.windowEnd.toISOString(),
    };
  }
}

function scopeOf(p: Principal) {
  return { tenantId: p.tenantId, environmentId: p.environmentId };
}

function configOf(s: ScheduledTaskRow): JobConfig {
  return s.job_config as unknown as JobConfig;
}

function archivedSentence(id: string): string {
  return `Scheduled task ${id} was deleted (archived): it never runs again`;
}

export function toScheduledTaskResponse(v: ScheduledTaskView): ScheduledTaskResponse {
  const live = v.enabled && v.status === RecordStatus.PUBLISHED;
  return {
    id: v.id,
    tenant_id: v.tenant_id,
    environment_id: v.environment_id,
    connection_id: v.connection_id,
    entity_type: scheduledEntityName(v.entity_type),
    interval: v.interval,
    enabled: v.enabled,
    job_config: v.job_config,
    status: v.status,
    next_run_at: live ? new Date(v.next_run_at).toISOString() : null,
    last_run_at: v.last_run_at ? new Date(v.last_run_at).toISOString() : null,
    last_run_status: v.last_run_status,
    last_run_error: v.last_run_error,
    skipped_slots: v.skipped_slots,
    created_at: new Date(v.created_at).toISOString(),
    updated_at: new Date(v.updated_at).toISOString(),
    created_by: v.created_by,
    updated_by: v.updated_by,
  };
}
