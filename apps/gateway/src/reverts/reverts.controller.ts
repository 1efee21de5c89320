import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';

import { Permission } from '@ferry/contracts';

import { CurrentPrincipal, Principal, RequirePermission } from '../auth/principal';
import { ApiAuthErrors, ApiErrors } from '../errors/api-errors.decorator';
import { TaskResponse } from '../tasks/task-response';
import { RevertPreview } from './revert-preview.dto';
import { RevertsService } from './reverts.service';

/** Undo an import (docs/API.md §5): preview, then a revert task. */
@ApiTags('Tasks')
@ApiSecurity('ApiKeyAuth')
@ApiAuthErrors()
@Controller('v1/tasks')
export class RevertsController {
  constructor(private readonly reverts: RevertsService) {}

  @Get(':id/revert')
  @ApiOperation({
    operationId: 'previewTaskRevert',
    summary: 'What reverting an import would delete, restore and keep',
  })
  @ApiResponse({ status: 200, type: RevertPreview })
  @ApiErrors(400, 404)
  @RequirePermission(Permission.TASK_READ)
  preview(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<RevertPreview> {
    return this.reverts.preview(p, id);
  }

  @Post(':id/revert')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'revertTask',
    summary: 'Revert an import, as a task of its own (IMPORT with metadata.revert_of)',
  })
  @ApiResponse({ status: 202, type: TaskResponse })
  @ApiErrors(400, 404, 409)
  @RequirePermission(Permission.TASK_WRITE)
  revert(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<TaskResponse> {
    return this.reverts.create(p, id);
  }
}
