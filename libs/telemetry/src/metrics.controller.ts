import { Controller, Get, Header, SetMetadata } from '@nestjs/common';

import { registry } from './metrics';
import { PUBLIC_ROUTE } from './public-route';

/** Prometheus text exposition of the service's metrics. */
@Controller('metrics')
@SetMetadata(PUBLIC_ROUTE, true)
export class MetricsController {
  @Get()
  @Header('Content-Type', registry.contentType)
  scrape(): Promise<string> {
    return registry.metrics();
  }
}
