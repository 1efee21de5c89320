import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://billing.example.com/ferry-hook', maxLength: 2048 })
  @IsString()
  @MaxLength(2048)
  url!: string;

  @ApiPropertyOptional({ maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  description?: string;
}

export class ListDeliveriesQuery {
  @ApiPropertyOptional({ description: 'only the deliveries of this task' })
  @IsOptional()
  @Matches(/^task_[0-9A-Z]{26}$/, { message: 'task_id must be a task id' })
  task_id?: string;
}

export class WebhookResponse {
  @ApiProperty({ example: 'whk_01J…' })
  id!: string;

  @ApiProperty()
  url!: string;

  @ApiProperty({ nullable: true, type: String })
  description!: string | null;

  @ApiProperty({ enum: ['published', 'archived'] })
  status!: string;

  @ApiProperty()
  created_at!: string;

  @ApiPropertyOptional({
    description: 'the Standard Webhooks signing secret (whsec_…); only in the answer of POST',
  })
  secret?: string;
}

export class WebhookSecretResponse {
  @ApiProperty({
    description:
      'the signing secret of the URLs tasks name in metadata.webhook_url (whsec_…), one per environment',
  })
  secret!: string;
}
