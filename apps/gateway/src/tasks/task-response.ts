import type { TaskEntity } from '@ferry/persistence';

/** TaskResponse of SPEC §1: snake_case, every field present, nulls as null, times in ISO 8601. */
export interface TaskResponse {
  id: string;
  task_type: string;
  entity_type: string;
  file_url: string;
  file_name: string | null;
  file_type: string;
  task_status: string;
  total_records: number | null;
  processed_records: number;
  successful_records: number;
  failed_records: number;
  error_summary: string | null;
  metadata: Record<string, unknown>;
  started_at: string | null;
  completed_at: string | null;
  failed_at: string | null;
  tenant_id: string;
  environment_id: string;
  status: string;
  created_at: string;
  updated_at: string;
  created_by: string | null;
  updated_by: string | null;
  workflow_id: string | null;
  scheduled_task_id: string | null;
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export function toTaskResponse(t: TaskEntity): TaskResponse {
  return {
    id: t.id,
    task_type: t.task_type,
    entity_type: t.entity_type,
    file_url: t.file_url,
    file_name: t.file_name ?? null,
    file_type: t.file_type,
    task_status: t.task_status,
    total_records: t.total_records ?? null,
    processed_records: t.processed_records,
    successful_records: t.successful_records,
    failed_records: t.failed_records,
    error_summary: t.error_summary ?? null,
    metadata: t.metadata ?? {},
    started_at: iso(t.started_at),
    completed_at: iso(t.completed_at),
    failed_at: iso(t.failed_at),
    tenant_id: t.tenant_id,
    environment_id: t.environment_id,
    status: t.status,
    created_at: iso(t.created_at) as string,
    updated_at: iso(t.updated_at) as string,
    created_by: t.created_by ?? null,
    updated_by: t.updated_by ?? null,
    workflow_id: t.workflow_id ?? null,
    scheduled_task_id: t.scheduled_task_id ?? null,
  };
}
