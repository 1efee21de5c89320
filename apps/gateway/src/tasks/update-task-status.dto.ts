import { TaskStatus } from '@ferry/contracts';
import { IsEnum } from 'class-validator';

/** Body of `PUT /v1/tasks/{id}/status`: FAILED cancels, PROCESSING retries a FAILED task. */
export class UpdateTaskStatusDto {
  @IsEnum(TaskStatus, {
    message: 'task_status must be one of PENDING, PROCESSING, COMPLETED, FAILED',
  })
  task_status!: TaskStatus;
}
