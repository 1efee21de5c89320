import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Min,
  ValidateNested,
} from 'class-validator';

export const STATUS_KINDS = ['started', 'progress', 'completed', 'failed'] as const;
export type StatusKind = (typeof STATUS_KINDS)[number];

export class TaskCounters {
  @IsInt()
  @Min(0)
  processed_records!: number;

  @IsInt()
  @Min(0)
  successful_records!: number;

  @IsInt()
  @Min(0)
  failed_records!: number;

  /** Null until known (a CSV's row count is known only at the end of the file). */
  @IsOptional()
  @IsInt()
  @Min(0)
  total_records?: number | null;
}

/**
 * `task.status.<task_id>`: a worker's news about a task (msgID = `<task id>:<seq>`). `seq`
 * grows by one with every committed step of the task across deliveries and retries (it is stored
 * with the checkpoint), so the status service applies an event only when it is newer than the
 * last one it applied.
 */
export class TaskStatusEvent {
  @IsString()
  task_id!: string;

  @IsIn(STATUS_KINDS)
  kind!: StatusKind;

  @IsInt()
  @Min(1)
  seq!: number;

  @IsISO8601()
  at!: string;

  @ValidateNested()
  @Type(() => TaskCounters)
  counters!: TaskCounters;

  /** For `failed`: why, in a sentence. For progress/completed: the bounded summary of row errors. */
  @IsOptional()
  @IsString()
  error_summary?: string | null;

  /** Keys merged into the task's metadata (e.g. `duplicates`, `ignored_columns`). */
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;

  /** For exports: the final object's URL. */
  @IsOptional()
  @IsString()
  file_url?: string;
}
