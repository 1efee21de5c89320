import { ApiProperty } from '@nestjs/swagger';

import { EntityType, FileType, RecordStatus, TaskStatus, TaskType } from '@ferry/contracts';
import type { TaskEntity } from '@ferry/persistence';

/** TaskResponse of docs/API.md §1: snake_case, every field present, nulls as null, times in ISO 8601. */
export class TaskResponse {
  @ApiProperty({ example: 'task_01JH3V5Q2X9Z8Y7W6V5U4T3S2R' })
  id!: string;
  @ApiProperty({ enum: TaskType, enumName: 'TaskType' })
  task_type!: string;
  @ApiProperty({ enum: EntityType, enumName: 'EntityType' })
  entity_type!: string;
  @ApiProperty()
  file_url!: string;
  @ApiProperty({ type: String, nullable: true })
  file_name!: string | null;
  @ApiProperty({ enum: FileType, enumName: 'FileType' })
  file_type!: string;
  @ApiProperty({ enum: TaskStatus, enumName: 'TaskStatus' })
  task_status!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Set as soon as it is known' })
  total_records!: number | null;
  @ApiProperty({ description: 'Rises while the task runs, never falls' })
  processed_records!: number;
  @ApiProperty()
  successful_records!: number;
  @ApiProperty()
  failed_records!: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'FAILED: why, in a sentence. Otherwise the first 10 row errors (`row N: message`), at most 2 KB',
  })
  error_summary!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata!: Record<string, unknown>;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  started_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completed_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  failed_at!: string | null;
  @ApiProperty()
  tenant_id!: string;
  @ApiProperty()
  environment_id!: string;
  @ApiProperty({ enum: RecordStatus, enumName: 'Status' })
  status!: string;
  @ApiProperty({ format: 'date-time' })
  created_at!: string;
  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
  @ApiProperty({ type: String, nullable: true })
  created_by!: string | null;
  @ApiProperty({ type: String, nullable: true })
  updated_by!: string | null;
  @ApiProperty({ type: String, nullable: true })
  workflow_id!: string | null;
  @ApiProperty({ type: String, nullable: true })
  scheduled_task_id!: string | null;
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
