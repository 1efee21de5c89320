import { Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import { Permission } from '@ferry/contracts';
import type { Request } from 'express';
import { CurrentPrincipal, Principal, RequirePermission } from '../auth/principal';
import { UploadsService } from './uploads.service';

@Controller('v1/uploads')
export class UploadsController {
  constructor(private readonly uploads: UploadsService) {}

  /** Raw body (any content type) or multipart/form-data (the first file part). */
  @Post()
  @HttpCode(201)
  @RequirePermission(Permission.TASK_WRITE)
  create(
    @CurrentPrincipal() p: Principal,
    @Req() req: Request,
    @Query('file_name') fileName?: string,
  ) {
    return this.uploads.receive(p, req, fileName);
  }
}
