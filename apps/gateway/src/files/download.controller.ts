import { Controller, Get, Param } from '@nestjs/common';
import { Permission } from '@ferry/contracts';
import { CurrentPrincipal, Principal, RequirePermission } from '../auth/principal';
import { DownloadsService } from './downloads.service';

@Controller('v1/tasks')
export class DownloadController {
  constructor(private readonly downloads: DownloadsService) {}

  /** A URL to the export's file, valid FERRY_DOWNLOAD_TTL_SECONDS (30 min), new on every call. */
  @Get(':id/download')
  @RequirePermission(Permission.TASK_READ)
  download(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.downloads.downloadUrl(p, id);
  }
}
