import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

/** Flexprice's flat `encrypted_secret_data` of an S3 connection: sealed at rest, never returned. */
export class S3SecretDataDto {
  @ApiProperty()
  @IsString()
  @Matches(/^\S{1,128}$/, {
    message: 'aws_access_key_id must be 1 to 128 characters without spaces',
  })
  aws_access_key_id!: string;

  @ApiProperty()
  @IsString()
  @Matches(/^\S{1,256}$/, {
    message: 'aws_secret_access_key must be 1 to 256 characters without spaces',
  })
  aws_secret_access_key!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  aws_session_token?: string;
}

/** Body of `POST /v1/connections` (Flexprice's CreateConnectionRequest, provider `s3`). */
export class CreateConnectionDto {
  @ApiProperty({ maxLength: 255 })
  @IsString()
  @IsNotEmpty({ message: 'name is required' })
  @MaxLength(255)
  name!: string;

  @ApiProperty({ enum: ['s3'] })
  @IsIn(['s3'], {
    message: 'provider_type must be "s3" (the destination scheduled exports write to)',
  })
  provider_type!: 's3';

  @ApiProperty({ type: S3SecretDataDto })
  @IsObject({
    message: 'encrypted_secret_data must hold aws_access_key_id and aws_secret_access_key',
  })
  @ValidateNested()
  @Type(() => S3SecretDataDto)
  encrypted_secret_data!: S3SecretDataDto;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject({ message: 'metadata must be a JSON object' })
  metadata?: Record<string, unknown>;
}

export class ListConnectionsQuery {
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

/** Flexprice's ConnectionResponse: never the secrets. */
export class ConnectionResponse {
  @ApiProperty({ example: 'conn_01JH3V5Q2X9Z8Y7W6V5U4T3S2R' })
  id!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty({ enum: ['s3'] })
  provider_type!: string;
  @ApiProperty()
  environment_id!: string;
  @ApiProperty()
  tenant_id!: string;
  @ApiProperty({ enum: ['published'] })
  status!: string;
  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' })
  created_at!: string;
  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
  @ApiProperty({ type: String, nullable: true })
  created_by!: string | null;
  @ApiProperty({ type: String, nullable: true })
  updated_by!: string | null;
}

/** `GET /v1/connections` (Flexprice's ListConnectionsResponse, plus Ferry's `pagination`). */
export class ConnectionListResponse {
  @ApiProperty({ type: [ConnectionResponse] })
  connections!: ConnectionResponse[];
  @ApiProperty()
  total!: number;
  @ApiProperty()
  limit!: number;
  @ApiProperty()
  offset!: number;
}
