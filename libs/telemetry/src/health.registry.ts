import { Global, Injectable, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';

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

  all(): readonly HealthCheck[] {
    return this.checks;
  }
}

/** Health checks for every service, and its `/metrics` route. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  providers: [HealthRegistry],
  exports: [HealthRegistry, TerminusModule],
  controllers: [MetricsController],
})
export class HealthRegistryModule {}
