import { Global, Injectable, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';

export interface HealthCheck {
  name: string;
  /** Resolves true when the dependency answers; a throw counts as not ready. */
  check(): Promise<boolean>;
}

/**
 * The checks behind `/health/ready`. Each infrastructure module (PostgreSQL, NATS, consumers)
 * registers its own check, so an app only imports the modules it uses.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks: HealthCheck[] = [];

  register(check: HealthCheck): void {
    this.checks.push(check);
  }

  async run(): Promise<Record<string, boolean>> {
    const results = await Promise.all(
      this.checks.map(async (c) => [c.name, await c.check().catch(() => false)] as const),
    );
    return Object.fromEntries(results);
  }
}

/** Health checks for every service, and its `/metrics` route. */
@Global()
@Module({
  providers: [HealthRegistry],
  exports: [HealthRegistry],
  controllers: [MetricsController],
})
export class HealthRegistryModule {}
