import { ApiProperty } from '@nestjs/swagger';

import { TaskResponse } from './task-response';

export class Pagination {
  @ApiProperty()
  total!: number;
  @ApiProperty()
  limit!: number;
  @ApiProperty()
  offset!: number;
}

/** `GET /v1/tasks`. */
export class TaskListResponse {
  @ApiProperty({ type: [TaskResponse] })
  items!: TaskResponse[];
  @ApiProperty({ type: Pagination })
  pagination!: Pagination;
}
