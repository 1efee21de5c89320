import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import {
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';

import type { Request, Response } from 'express';

import { Permission } from '@ferry/contracts';

import { CurrentPrincipal, Principal, RequirePermission } from '../auth/principal';
import { ApiAuthErrors, ApiErrors } from '../errors/api-errors.decorator';
import { type ErrorsDownload, pageQuery, TaskErrorsService } from './task-errors.service';

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
      'can be fixed and imported again. With `Accept: application/json`: one page ' +
      '`{columns, items: [{row_number, error_code, error_message, cells}], total, limit, ' +
      'after_row, next_after_row}` of `limit` rows (1..1000, default 50) after line `after_row`.',
  })
  @ApiProduces('text/csv', 'application/json')
  @ApiQuery({ name: 'limit', required: false, description: 'JSON only: rows per page, 1..1000' })
  @ApiQuery({ name: 'after_row', required: false, description: 'JSON only: rows after this line' })
  @ApiResponse({ status: 200, description: 'CSV, streamed (or one JSON page)' })
  @ApiErrors(400, 404)
  @RequirePermission(Permission.TASK_READ)
  async list(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Query('limit') limit: unknown,
    @Query('after_row') afterRow: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await answer(req, res, {
      page: () => {
        const q = pageQuery(limit, afterRow);
        return this.errors.page(p, id, q.limit, q.afterRow);
      },
      open: () => this.errors.open(p, id),
    });
  }

  /** Streams the rows imported with a warning as CSV (docs/FORMATS.md §1). */
  @Get(':id/warnings')
  @ApiOperation({
    operationId: 'getTaskWarnings',
    summary: "An import's warned rows, as CSV",
    description:
      "row_number,warning_message followed by the row's columns as read: rows imported with a " +
      'leniency (a short or long row, trimmed blanks, a stray quote, an ignored cell). The ' +
      "task's metadata.warnings counts them; the first 10,000 are listed. With `Accept: " +
      'application/json`: one page `{columns, items: [{row_number, warning_message, cells}], ' +
      'total, limit, after_row, next_after_row}`, paged as /errors is.',
  })
  @ApiProduces('text/csv', 'application/json')
  @ApiQuery({ name: 'limit', required: false, description: 'JSON only: rows per page, 1..1000' })
  @ApiQuery({ name: 'after_row', required: false, description: 'JSON only: rows after this line' })
  @ApiResponse({ status: 200, description: 'CSV, streamed (or one JSON page)' })
  @ApiErrors(400, 404)
  @RequirePermission(Permission.TASK_READ)
  async warnings(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Query('limit') limit: unknown,
    @Query('after_row') afterRow: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await answer(req, res, {
      page: () => {
        const q = pageQuery(limit, afterRow);
        return this.errors.warningsPage(p, id, q.limit, q.afterRow);
      },
      open: () => this.errors.openWarnings(p, id),
    });
  }
}

/** One JSON page when the client asks for JSON first; otherwise the whole CSV, streamed. */
async function answer(
  req: Request,
  res: Response,
  rows: { page: () => Promise<unknown>; open: () => Promise<ErrorsDownload> },
): Promise<void> {
  // CSV unless the client asks for JSON first (`*/*`, a browser download, curl: CSV).
  if (req.accepts(['text/csv', 'application/json']) === 'application/json') {
    res.status(200).json(await rows.page());
    return;
  }
  await stream(res, await rows.open());
}

async function stream(res: Response, download: ErrorsDownload): Promise<void> {
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
