import { ErrorCode } from '@ferry/contracts';
import { ApiProperty } from '@nestjs/swagger';

/** The one error body of every endpoint (SPEC §1), for the OpenAPI document. */
export class ErrorResponse {
  @ApiProperty({ enum: ErrorCode, enumName: 'ErrorCode' })
  code!: ErrorCode;

  @ApiProperty({ example: 'limit must be a whole number from 1 to 1000' })
  message!: string;

  @ApiProperty({ example: 400 })
  http_status_code!: number;

  @ApiProperty({ type: 'object', additionalProperties: true })
  details!: Record<string, unknown>;
}
