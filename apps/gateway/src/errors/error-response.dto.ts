import { ApiProperty } from '@nestjs/swagger';

import { ErrorCode } from '@ferry/contracts';

export class ErrorDetail {
  @ApiProperty()
  message!: string;

  @ApiProperty({ description: 'The error code (never internal details)' })
  internal_error!: string;
}

/** The one error body of every endpoint (docs/API.md §1), for the OpenAPI document. */
export class ErrorResponse {
  @ApiProperty({ enum: ErrorCode, enumName: 'ErrorCode' })
  code!: ErrorCode;

  @ApiProperty({ example: 'limit must be a whole number from 1 to 1000' })
  message!: string;

  @ApiProperty({ example: 400 })
  http_status_code!: number;

  @ApiProperty({ type: 'object', additionalProperties: true })
  details!: Record<string, unknown>;

  @ApiProperty({ enum: [false], description: "Flexprice's envelope: always false on an error" })
  success!: false;

  @ApiProperty({
    description: "Flexprice's envelope (its SDK reads it): the message again, and the code",
    example: { message: 'Task task_01… was not found', internal_error: 'not_found' },
  })
  error!: ErrorDetail;
}

/** `{message}` answers (PUT /v1/tasks/{id}/status). */
export class MessageResponse {
  @ApiProperty({ example: 'task task_01… cancelled' })
  message!: string;
}
