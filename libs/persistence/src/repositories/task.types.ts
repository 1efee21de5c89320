import {
  type EntityType,
  type FileType,
  type RecordStatus,
  type TaskStatus,
  type TaskType,
} from '@ferry/contracts';

import { type TaskEntity } from '../entities/task.entity';

/** What creating a task needs; everything else takes its column default. */
export interface NewTask {
  /** A new `task_<ULID>`, picked by the caller so that it can build the task's message first. */
  id: string;
  tenant_id: string;
  environment_id: string;
  task_type: TaskType;
  entity_type: EntityType;
  file_type: FileType;
  file_url: string;
  file_name?: string | null;
  metadata?: Record<string, unknown>;
  /** Also written as `updated_by`. */
  created_by?: string | null;
  workflow_id?: string | null;
  scheduled_task_id?: string | null;
  idempotency_key?: string | null;
  request_hash?: string | null;
}

/** A message to write into the outbox with the transaction that makes it due; the row gets its id. */
export interface OutboxDraft {
  subject: string;
  msgId: string;
  payload: object;
  headers?: Record<string, string>;
}

export type CreateWithOutboxResult =
  | { created: true; task: TaskEntity; outboxId: string }
  /** The idempotency key was used before: `requestMatches` false means another body (409). */
  | { created: false; existing: TaskEntity; requestMatches: boolean };

/** What `changeStatus` did: nothing (missing or refused), or the transition with the new row. */
export type StatusChangeResult =
  | { kind: 'missing' }
  | { kind: 'refused'; from: TaskStatus }
  | { kind: 'cancelled'; task: TaskEntity }
  | { kind: 'retried'; task: TaskEntity; outboxId: string; message: OutboxDraft };

/** One group of `countByStatus`. */
export interface TaskCount {
  task_type: TaskType;
  entity_type: EntityType;
  task_status: TaskStatus;
  count: number;
}

export interface TaskScope {
  tenantId: string;
  environmentId: string;
}

export type TaskSortField = 'created_at' | 'updated_at' | 'completed_at';

export interface TaskListFilters {
  task_type?: TaskType;
  entity_type?: EntityType;
  task_status?: TaskStatus;
  status?: RecordStatus;
  created_by?: string;
  scheduled_task_id?: string;
  /** Inclusive bounds on `created_at`. */
  start_time?: Date;
  end_time?: Date;
  limit: number;
  offset: number;
  sort: TaskSortField;
  order: 'asc' | 'desc';
}
