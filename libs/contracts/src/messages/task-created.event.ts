import { IsEnum, IsInt, IsObject, IsOptional, IsString, Min } from 'class-validator';

import { EntityType, FileType, TaskType } from '../enums';

/**
 * `task.created.<type>.<entity>`: published by the gateway's outbox relay (msgID = task id, or
 * `<task id>:attempt-<n>` for a retry, see taskCreatedMsgId) and consumed by the importer or exporter. It carries what a
 * worker needs to start without a read; the worker still re-reads the task row before acting.
 */
export class TaskCreatedEvent {
  @IsString()
  task_id!: string;

  @IsString()
  tenant_id!: string;

  @IsString()
  environment_id!: string;

  @IsEnum(TaskType)
  task_type!: TaskType;

  @IsEnum(EntityType)
  entity_type!: EntityType;

  @IsEnum(FileType)
  file_type!: FileType;

  @IsString()
  file_url!: string;

  @IsObject()
  metadata!: Record<string, unknown>;

  /** 0 for the first run; each retry (PUT FAILED → PROCESSING) increments it. */
  @IsInt()
  @Min(0)
  attempt!: number;

  @IsOptional()
  @IsString()
  created_by?: string;
}

/**
 * `task.part.import.<entity>`: one part of a split import (docs/DECISIONS.md 128), published by
 * the delivery that split it (msgID `<task id>:attempt-<n>:part-<k>`) and taken by any importer.
 * It carries the task as `task.created` does, and which part (1…N) to read.
 */
export class TaskPartEvent extends TaskCreatedEvent {
  @IsInt()
  @Min(1)
  part!: number;
}
