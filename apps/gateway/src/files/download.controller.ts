import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';

import { Permission } from '@ferry/contracts';

import { CurrentPrincipal, Principal, RequirePermission } from '../auth/principal';
import { ApiAuthErrors, ApiErrors } from '../errors/api-errors.decorator';
import { DownloadsService } from './downloads.service';

@ApiTags('Tasks')
@ApiSecurity('ApiKeyAuth')
@ApiAuthErrors()
@Controller('v1/tasks')
export class DownloadController {
  constructor(private readonly downloads: DownloadsService) {}

  /** A URL to the export's file, valid FERRY_DOWNLOAD_TTL_SECONDS (30 min), new on every call. */
  @Get(':id/download')
  @ApiOperation({
    operationId: 'downloadTaskExport',
    summary: "A link to an export's file, valid 30 minutes, new on every call",
  })
  @ApiResponse({
    status: 200,
    schema: {
      type: 'object',
      properties: {
        download_url: { type: 'string' },
        expires_at: { type: 'string', format: 'date-time' },
      },
    },
  })
  @ApiErrors(400, 404)
  @RequirePermission(Permission.TASK_READ)
  download(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.downloads.downloadUrl(p, id);
  }
}
