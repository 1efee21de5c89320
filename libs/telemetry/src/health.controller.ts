import { Controller, Get, HttpException, SetMetadata } from '@nestjs/common';
import { HealthRegistry } from './health.registry';
import { PUBLIC_ROUTE } from './public-route';


/** `/health/live` (the process answers) and `/health/ready` (every dependency answers). */
@Controller('health')
@SetMetadata(PUBLIC_ROUTE, true)
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready() {
    const checks = await this.registry.run();
    const down = Object.entries(checks)
      .filter(([, ok]) => !ok)
      .map(([name]) => name);
    if (down.length > 0) {
      throw new HttpException(
        {
          code: 'service_unavailable',
          message: `Not ready: ${down.join(', ')} not ready`,
          http_status_code: 503,
          details: checks,
        },
        503,
      );
    }
    return { status: 'ok', checks };
  }
}
