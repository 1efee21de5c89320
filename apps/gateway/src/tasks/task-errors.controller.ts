import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';

import type { Response } from 'express';

import { Permission } from '@ferry/contracts';

import { CurrentPrincipal, Principal, RequirePermission } from '../auth/principal';
import { ApiAuthErrors, ApiErrors } from '../errors/api-errors.decorator';
import { TaskErrorsService } from './task-errors.service';

@ApiTags('Tasks')
@ApiSecurity('ApiKeyAuth')
@ApiAuthErrors()
@Controller('v1/tasks')
export class TaskErrorsController {
  constructor(private readonly errors: TaskErrorsService) {}

  /** Streams the rejected rows as CSV (a 404 goes through the error filter before any byte). */
  @Get(':id/errors')
  @ApiOperation({
    operationId: 'getTaskErrors',
    summary: "An import's rejected rows, as CSV",
    description:
      "row_number,error_code,error_message followed by the row's original columns, so the rows " +
      'can be fixed and imported again.',
  })
  @ApiProduces('text/csv')
  @ApiResponse({ status: 200, description: 'CSV, streamed', schema: { type: 'string' } })
  @ApiErrors(404)
  @RequirePermission(Permission.TASK_READ)
  async list(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Res() res: Response) {
    const download = await this.errors.open(p, id);
    res.status(200);
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="${download.fileName}"`);
    try {
      await download.write(res);
    } catch (err) {
      // Headers are gone: the only honest signal left is a cut connection, not a 200 with half a file.
      res.destroy(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    res.end();
  }
}
