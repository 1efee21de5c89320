import { ApiProperty } from '@nestjs/swagger';

/** A row a revert keeps because a later task changed it (docs/API.md §5). */
export class KeptRowDto {
  @ApiProperty({ example: 'cus_01J…' })
  id!: string;

  @ApiProperty({ nullable: true, type: String, description: 'external_id or lookup_key' })
  key!: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'the task that changed it since' })
  changed_by!: string | null;
}

/** `GET /v1/tasks/{id}/revert`: what a revert of the import would do now. */
export class RevertPreview {
  @ApiProperty()
  task_id!: string;

  @ApiProperty()
  entity_type!: string;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'the revert task, once one was created (an import is reverted once)',
  })
  revert_task_id!: string | null;

  @ApiProperty({ description: 'rows the import created, which the revert deletes' })
  would_delete!: number;

  @ApiProperty({ description: 'rows the import changed, which get their before-image back' })
  would_restore!: number;

  @ApiProperty({ description: 'rows changed since by a later task, which the revert keeps' })
  would_keep!: number;

  @ApiProperty({ type: [KeptRowDto], description: 'the first 100 kept rows' })
  kept!: KeptRowDto[];

  @ApiProperty({ nullable: true, type: String, description: 'after this a revert is refused' })
  before_images_expire_at!: string | null;
}
