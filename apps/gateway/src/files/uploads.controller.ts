import { Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import {
  ApiConsumes,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';

import type { Request } from 'express';

import { Permission } from '@ferry/contracts';

import { CurrentPrincipal, Principal, RequirePermission } from '../auth/principal';
import { ApiAuthErrors, ApiErrors } from '../errors/api-errors.decorator';
import { UploadsService } from './uploads.service';

@ApiTags('Uploads')
@ApiSecurity('ApiKeyAuth')
@ApiAuthErrors()
@Controller('v1/uploads')
export class UploadsController {
  constructor(private readonly uploads: UploadsService) {}

  /** Raw body (any content type) or multipart/form-data (the first file part). */
  @Post()
  @HttpCode(201)
  @ApiOperation({
    operationId: 'createUpload',
    summary: 'Upload a file (raw body or multipart) to use as an import file_url',
  })
  @ApiQuery({ name: 'file_name', required: false })
  @ApiConsumes('application/octet-stream', 'text/csv', 'application/json', 'multipart/form-data')
  @ApiResponse({
    status: 201,
    schema: {
      type: 'object',
      properties: { upload_id: { type: 'string' }, file_url: { type: 'string' } },
    },
  })
  @ApiErrors(400, 413)
  @RequirePermission(Permission.TASK_WRITE)
  create(
    @CurrentPrincipal() p: Principal,
    @Req() req: Request,
    @Query('file_name') fileName?: string,
  ) {
    return this.uploads.receive(p, req, fileName);
  }
}
