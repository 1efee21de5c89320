import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { Transform } from 'class-transformer';
import {
  IsEnum,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';

import { EntityType, FileType, TaskType } from '@ferry/contracts';

/** Body of `POST /v1/tasks` (Flexprice's CreateTaskRequest). */
export class CreateTaskDto {
  @ApiProperty({ enum: TaskType, enumName: 'TaskType' })
  @Transform(upperCase)
  @IsEnum(TaskType, { message: '$property must be one of $constraint2' })
  task_type!: TaskType;

  @ApiProperty({ enum: EntityType, enumName: 'EntityType' })
  @Transform(upperCase)
  @IsEnum(EntityType, { message: '$property must be one of $constraint2' })
  entity_type!: EntityType;

  @ApiProperty({ enum: FileType, enumName: 'FileType' })
  @Transform(upperCase)
  @IsEnum(FileType, { message: '$property must be one of $constraint2' })
  file_type!: FileType;

  @ApiProperty({
    description:
      'Import: the file to read (http(s):// through the SSRF guard, s3://bucket/key, store://bucket/key). ' +
      'Export: where to write it (s3://, store://, or an https:// URL that accepts a PUT). ' +
      'A store:// bucket must be one of FERRY_STORE_BUCKETS; a key may not contain `..`.',
    example: 'https://files.example.com/usage/2026-01.csv',
    maxLength: 4096,
  })
  @ValidateIf((o: CreateTaskDto) => o.upload_id === undefined || o.file_url !== undefined)
  @IsString()
  @IsNotEmpty({ message: 'file_url is required (or upload_id, the id POST /v1/uploads gave)' })
  @MaxLength(4096)
  @Matches(/^(https?|s3|store):\/\/\S+$/i, {
    message: 'file_url must be an http(s)://, s3:// or store:// URL',
  })
  file_url!: string;

  @ApiPropertyOptional({
    description:
      "Flexprice's create body: in place of file_url, the upload_id that POST /v1/uploads " +
      'returned (an import reads that file). An id unknown in the environment is a 400.',
    example: 'upload_01HZX3K5V7R8Y9Z0ABCDEFGHJK',
    maxLength: 255,
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  upload_id?: string;

  @ApiPropertyOptional({
    description: "Flexprice's create body names where the upload lives; accepted and not read.",
    maxLength: 255,
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  file_provider?: string;

  @ApiPropertyOptional({ maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  file_name?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'Options: export selection (start_time, end_time, event_name, …, compression), max_errors. ' +
      'A bad option is a 400 naming it; at most 16 levels deep, 100 entries per object or array ' +
      'and 16,384 characters as JSON.',
  })
  @IsOptional()
  @IsObject({ message: 'metadata must be a JSON object' })
  metadata?: Record<string, unknown>;
}

/**
 * Flexprice's clients send some enums in lower case (`events`): read them as the upper-case
 * value (docs/API.md §1). Anything that is not a string is left for the enum check to refuse.
 */
function upperCase({ value }: { value: unknown }): unknown {
  return typeof value === 'string' ? value.toUpperCase() : value;
}
