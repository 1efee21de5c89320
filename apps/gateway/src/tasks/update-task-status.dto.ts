import { ApiProperty } from '@nestjs/swagger';

import { IsEnum } from 'class-validator';

import { TaskStatus } from '@ferry/contracts';

/** Body of `PUT /v1/tasks/{id}/status`: FAILED cancels, PROCESSING retries a FAILED task. */
export class UpdateTaskStatusDto {
  @ApiProperty({
    enum: TaskStatus,
    enumName: 'TaskStatus',
    description: 'FAILED cancels a PENDING or PROCESSING task; PROCESSING retries a FAILED one',
  })
  @IsEnum(TaskStatus, {
    message: '$property must be one of $constraint2',
  })
  task_status!: TaskStatus;
}
