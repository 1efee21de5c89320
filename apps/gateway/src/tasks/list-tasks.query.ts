import { ApiPropertyOptional } from '@nestjs/swagger';

import { Type } from 'class-transformer';
import {
  IsEnum,
  IsIn,
  IsInt,
  IsOptional,
  isRFC3339,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';

import { EntityType, RecordStatus, TaskStatus, TaskType } from '@ferry/contracts';

/**
 * RFC 3339 that names a real instant. The format check alone lets `2026-02-30T00:00:00Z` through
 * (JavaScript rolls it over to 2 March) and a leap second `23:59:60Z` (an Invalid Date, which
 * PostgreSQL then refuses: a 500); both are the client's mistake, a 400.
 */
function IsRfc3339Instant(field: string): PropertyDecorator {
  return ValidateBy({
    name: 'isRfc3339Instant',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && isRFC3339(value) && isRealInstant(value),
      defaultMessage: () => `${field} must be an RFC 3339 time, e.g. 2026-01-31T00:00:00Z`,
    },
  });
}

function isRealInstant(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return (
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    !Number.isNaN(Date.parse(value))
  );
}

export const SORT_FIELDS = ['created_at', 'updated_at', 'completed_at'] as const;
export const ORDERS = ['asc', 'desc'] as const;

/** Query of `GET /v1/tasks`: every filter of docs/API.md §1, each validated (a bad value is a 400). */
export class ListTasksQuery {
  @ApiPropertyOptional({ enum: TaskType, enumName: 'TaskType' })
  @IsOptional()
  @IsEnum(TaskType, { message: '$property must be one of $constraint2' })
  task_type?: TaskType;

  @ApiPropertyOptional({ enum: EntityType, enumName: 'EntityType' })
  @IsOptional()
  @IsEnum(EntityType, { message: '$property must be one of $constraint2' })
  entity_type?: EntityType;

  @ApiPropertyOptional({ enum: TaskStatus, enumName: 'TaskStatus' })
  @IsOptional()
  @IsEnum(TaskStatus, {
    message: '$property must be one of $constraint2',
  })
  task_status?: TaskStatus;

  @ApiPropertyOptional({ enum: RecordStatus, enumName: 'Status', default: RecordStatus.PUBLISHED })
  @IsOptional()
  @IsEnum(RecordStatus, { message: '$property must be one of $constraint2' })
  status: RecordStatus = RecordStatus.PUBLISHED;

  @ApiPropertyOptional({ maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  created_by?: string;

  @ApiPropertyOptional({ maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  scheduled_task_id?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'RFC 3339; tasks created at or after' })
  @IsOptional()
  @IsRfc3339Instant('start_time')
  start_time?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'RFC 3339; tasks created at or before' })
  @IsOptional()
  @IsRfc3339Instant('end_time')
  end_time?: string;

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
  @IsInt({ message: 'offset must be a whole number, 0 or more' })
  @Min(0, { message: 'offset must be a whole number, 0 or more' })
  offset = 0;

  @ApiPropertyOptional({ enum: SORT_FIELDS, default: 'created_at' })
  @IsOptional()
  @IsIn(SORT_FIELDS, { message: 'sort must be one of created_at, updated_at, completed_at' })
  sort: (typeof SORT_FIELDS)[number] = 'created_at';

  @ApiPropertyOptional({ enum: ORDERS, default: 'desc' })
  @IsOptional()
  @IsIn(ORDERS, { message: 'order must be asc or desc' })
  order: (typeof ORDERS)[number] = 'desc';
}
