import { Controller, Get, SetMetadata } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';

import { HealthRegistry } from './health.registry';
import { PUBLIC_ROUTE } from './public-route';

/**
 * `/health/live`: the process answers (Kubernetes restarts it otherwise). `/health/ready`: every
 * registered dependency answers — PostgreSQL, NATS, the JetStream consumers bound — else 503, and
 * Kubernetes stops sending it traffic. Terminus formats both.
 */
@Controller('health')
@SetMetadata(PUBLIC_ROUTE, true)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: HealthRegistry,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check(
      this.registry.all().map((c) => async () => {
        const session = this.indicators.check(c.name);
        const ok = await c.check().catch(() => false);
        return ok ? session.up() : session.down();
      }),
    );
  }
}
