import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';

import { DataSource } from 'typeorm';

import { ensureDefaultCredentials } from '@ferry/persistence';

import { GatewayConfig } from '../gateway.config';

/**
 * First run: an empty database gets a default tenant, environment and API key, so the README's
 * curl works at once. A generated key is printed once, here, and never again (only its hash is kept).
 */
@Injectable()
export class DefaultCredentialsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(DefaultCredentialsService.name);

  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    private readonly config: GatewayConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const result = await ensureDefaultCredentials(this.ds, {
      apiKey: this.config.FERRY_API_KEY || undefined,
    });
    if (result.created && result.apiKey && !this.config.FERRY_API_KEY) {
      process.stdout.write(
        `\n  Ferry created a default API key (shown only this once):\n\n    ${result.apiKey}\n\n` +
          `  tenant ${result.tenantId}, environment ${result.environmentId}\n\n`,
      );
    } else if (result.created) {
      this.logger.log(`default tenant ${result.tenantId} uses the key from FERRY_API_KEY`);
    }
  }
}
