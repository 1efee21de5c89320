import { EntityType, FileType, TaskType } from '@ferry/contracts';
import {
  IsEnum,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';

/** Body of `POST /v1/tasks` (Flexprice's CreateTaskRequest). */
export class CreateTaskDto {
  @IsEnum(TaskType, { message: 'task_type must be one of IMPORT, EXPORT' })
  task_type!: TaskType;

  @IsEnum(EntityType, { message: 'entity_type must be one of EVENTS, PRICES, CUSTOMERS, FEATURES' })
  entity_type!: EntityType;

  @IsEnum(FileType, { message: 'file_type must be one of CSV, JSON' })
  file_type!: FileType;

  @IsString()
  @IsNotEmpty({ message: 'file_url is required' })
  @MaxLength(4096)
  @Matches(/^(https?|s3|store):\/\/\S+$/i, {
    message: 'file_url must be an http(s)://, s3:// or store:// URL',
  })
  file_url!: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  file_name?: string;

  @IsOptional()
  @IsObject({ message: 'metadata must be a JSON object' })
  metadata?: Record<string, unknown>;
}
