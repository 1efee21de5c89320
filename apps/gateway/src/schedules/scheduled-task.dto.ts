import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsEnum,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

import { SCHEDULED_ENTITY_TYPES, ScheduleInterval } from '@ferry/contracts';

import { Pagination } from '../tasks/task-list.response';

const ENTITY_NAMES = Object.keys(SCHEDULED_ENTITY_TYPES);

/** `job_config` (Flexprice's S3JobConfig plus Ferry's `mode`, `lag_seconds`, `columns`). */
export class JobConfigDto {
  @ApiPropertyOptional({
    description: 'S3 bucket; for the built-in store one of FERRY_STORE_BUCKETS (default exports)',
  })
  bucket?: string;
  @ApiPropertyOptional({ description: 'S3 only; default us-east-1' })
  region?: string;
  @ApiPropertyOptional({
    description: 'Files land at <key_prefix>/<entity>/<entity>-<start>-<end>.csv',
  })
  key_prefix?: string;
  @ApiPropertyOptional({ enum: ['none', 'gzip'] })
  compression?: string;
  @ApiPropertyOptional({ enum: ['AES256', 'aws:kms', 'aws:kms:dsse'], description: 'S3 only' })
  encryption?: string;
  @ApiPropertyOptional({ description: 'S3 only: an S3-compatible server (through the SSRF guard)' })
  endpoint_url?: string;
  @ApiPropertyOptional({ description: 'S3 only' })
  use_path_style?: boolean;
  @ApiPropertyOptional({
    enum: ['incremental', 'window'],
    description:
      'incremental (default): every row once across runs, late arrivals included; window: the slot by event time (Flexprice)',
  })
  mode?: string;
  @ApiPropertyOptional({
    description: 'window mode: seconds after a slot ends before it is exported (default 900)',
  })
  lag_seconds?: number;
  @ApiPropertyOptional({ type: [String], description: 'Columns to write, in order (default all)' })
  columns?: string[];
}

/** Body of `POST /v1/tasks/scheduled` (Flexprice's DtoCreateScheduledTaskRequest). */
export class CreateScheduledTaskDto {
  @ApiProperty({
    description: `"${'store'}" for the built-in store, or the id of a connection (POST /v1/connections)`,
    example: 'store',
  })
  @IsString()
  @IsNotEmpty({ message: 'connection_id is required' })
  @MaxLength(64)
  connection_id!: string;

  @ApiProperty({ enum: ENTITY_NAMES, enumName: 'ScheduledTaskEntityType' })
  @IsString({ message: `entity_type must be one of ${ENTITY_NAMES.join(', ')}` })
  entity_type!: string;

  @ApiProperty({ enum: ScheduleInterval, enumName: 'ScheduleInterval' })
  @IsEnum(ScheduleInterval, { message: '$property must be one of $constraint2' })
  interval!: ScheduleInterval;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiProperty({ type: JobConfigDto })
  @IsObject({ message: 'job_config must be a JSON object' })
  job_config!: Record<string, unknown>;
}

/** Body of `PUT /v1/tasks/scheduled/{id}`: only `enabled` changes (as Flexprice). */
export class UpdateScheduledTaskDto {
  @ApiProperty()
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled!: boolean;
}

/** Body of `POST /v1/tasks/scheduled/{id}/run`: nothing (now), or both ends of a custom window. */
export class TriggerRunDto {
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  start_time?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  end_time?: string;
}

/** Query of `GET /v1/tasks/scheduled`. */
export class ListScheduledTasksQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  connection_id?: string;

  @ApiPropertyOptional({ enum: ENTITY_NAMES, enumName: 'ScheduledTaskEntityType' })
  @IsOptional()
  @IsString()
  entity_type?: string;

  @ApiPropertyOptional({ enum: ScheduleInterval, enumName: 'ScheduleInterval' })
  @IsOptional()
  @IsEnum(ScheduleInterval, { message: '$property must be one of $constraint2' })
  interval?: ScheduleInterval;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsIn([true, false], { message: 'enabled must be true or false' })
  enabled?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number from 1 to 1000' })
  @Min(1, { message: 'limit must be a whole number from 1 to 1000' })
  @Max(1000, { message: 'limit must be a whole number from 1 to 1000' })
  limit = 50;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset must be a whole number of 0 or more' })
  @Min(0, { message: 'offset must be a whole number of 0 or more' })
  offset = 0;
}

/** Flexprice's DtoScheduledTaskResponse; every field present, nulls as null (docs/API.md §4). */
export class ScheduledTaskResponse {
  @ApiProperty({ example: 'schtask_01JH3V5Q2X9Z8Y7W6V5U4T3S2R' })
  id!: string;
  @ApiProperty()
  tenant_id!: string;
  @ApiProperty()
  environment_id!: string;
  @ApiProperty()
  connection_id!: string;
  @ApiProperty({ enum: ENTITY_NAMES, enumName: 'ScheduledTaskEntityType' })
  entity_type!: string;
  @ApiProperty({ enum: ScheduleInterval, enumName: 'ScheduleInterval' })
  interval!: string;
  @ApiProperty()
  enabled!: boolean;
  @ApiProperty({ type: JobConfigDto })
  job_config!: Record<string, unknown>;
  @ApiProperty({ enum: ['published', 'archived'] })
  status!: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the next slot is due; null when disabled or deleted',
  })
  next_run_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_run_at!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'task_status of the latest run' })
  last_run_status!: string | null;
  @ApiProperty({ type: String, nullable: true })
  last_run_error!: string | null;
  @ApiProperty({
    description: 'Slots left out of a catch-up longer than FERRY_SCHEDULE_MAX_CATCHUP',
  })
  skipped_slots!: number;
  @ApiProperty({ format: 'date-time' })
  created_at!: string;
  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
  @ApiProperty({ type: String, nullable: true })
  created_by!: string | null;
  @ApiProperty({ type: String, nullable: true })
  updated_by!: string | null;
}

/** `GET /v1/tasks/scheduled` (Flexprice's DtoListScheduledTasksResponse). */
export class ScheduledTaskListResponse {
  @ApiProperty({ type: [ScheduledTaskResponse] })
  items!: ScheduledTaskResponse[];
  @ApiProperty({ type: Pagination })
  pagination!: Pagination;
}

/** Flexprice's DtoTriggerForceRunResponse; `workflow_id` is the run's EXPORT task id. */
export class TriggerRunResponse {
  @ApiProperty({ description: 'The id of the EXPORT task of this run' })
  workflow_id!: string;
  @ApiProperty()
  message!: string;
  @ApiProperty({ enum: ['automatic', 'custom'] })
  mode!: string;
  @ApiProperty({ format: 'date-time' })
  start_time!: string;
  @ApiProperty({ format: 'date-time' })
  end_time!: string;
}
