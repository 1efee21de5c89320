import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEnum,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

import { Permission } from '@ferry/contracts';

/** Flexprice's secret types (`@flexprice/sdk` SecretType); an integration secret is not a key. */
export const KEY_TYPES = ['private_key', 'publishable_key'] as const;

/** Body of `POST /v1/secrets/api/keys` (Flexprice's CreateAPIKeyRequest). */
export class CreateApiKeyDto {
  @ApiProperty({ maxLength: 255, example: 'billing backend' })
  @IsString()
  @IsNotEmpty({ message: 'name is required' })
  @MaxLength(255)
  name!: string;

  @ApiProperty({
    enum: KEY_TYPES,
    description: 'private_key: task:read and task:write; publishable_key: task:read only',
  })
  @IsIn(KEY_TYPES, { message: `type must be one of ${KEY_TYPES.join(', ')}` })
  type!: (typeof KEY_TYPES)[number];

  @ApiPropertyOptional({
    description: 'RFC 3339; after it the key is refused. Absent: never expires.',
    example: '2027-01-31T00:00:00Z',
  })
  @IsOptional()
  @IsString()
  expires_at?: string;

  @ApiPropertyOptional({ description: "Flexprice's service account; accepted and not read." })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  service_account_id?: string;

  @ApiPropertyOptional({
    enum: Permission,
    isArray: true,
    description: 'Beyond: narrows what the key may do (at most its type allows, plus key:manage)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsEnum(Permission, { each: true, message: 'permissions must be among $constraint2' })
  permissions?: Permission[];
}

/** `GET /v1/secrets/api/keys` query (Flexprice's ListAPIKeys filter). */
export class ListApiKeysQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;

  @ApiPropertyOptional({
    enum: ['published', 'archived'],
    description: 'published (default): usable keys; archived: revoked ones too',
  })
  @IsOptional()
  @IsIn(['published', 'archived'], { message: 'status must be published or archived' })
  status?: 'published' | 'archived';
}

/** Flexprice's SecretResponse: never the key itself. */
export class SecretResponse {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: KEY_TYPES }) type!: string;
  @ApiProperty({ example: 'flexprice' }) provider!: string;
  @ApiProperty({ description: 'the first characters of the key, to tell keys apart' })
  display_id!: string;
  @ApiProperty({ enum: ['published', 'archived'] }) status!: string;
  @ApiProperty({ type: [String], description: 'the permissions' }) roles!: string[];
  @ApiProperty({ example: 'user' }) user_type!: string;
  @ApiProperty({ type: String, nullable: true }) expires_at!: string | null;
  @ApiProperty({ type: String, nullable: true }) last_used_at!: string | null;
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;
}

export class CreateApiKeyResponse {
  @ApiProperty({ description: 'the key, shown this once: only its hash is stored' })
  api_key!: string;
  @ApiProperty({ type: SecretResponse }) secret!: SecretResponse;
}

export class SecretListResponse {
  @ApiProperty({ type: [SecretResponse] }) items!: SecretResponse[];
  @ApiProperty({ example: { total: 1, limit: 50, offset: 0 } })
  pagination!: { total: number; limit: number; offset: number };
}

/** Body of `POST /v1/environments` and `PUT /v1/environments/{id}` (Flexprice's). */
export class EnvironmentDto {
  @ApiPropertyOptional({ maxLength: 255, example: 'staging' })
  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: 'name may not be empty' })
  @MaxLength(255)
  name?: string;

  @ApiPropertyOptional({ maxLength: 64, example: 'development' })
  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: 'type may not be empty' })
  @MaxLength(64)
  type?: string;
}

export class EnvironmentResponse {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() type!: string;
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;
}

export class EnvironmentListResponse {
  @ApiProperty({ type: [EnvironmentResponse] }) items!: EnvironmentResponse[];
  @ApiProperty({ example: { total: 1, limit: 50, offset: 0 } })
  pagination!: { total: number; limit: number; offset: number };
}
