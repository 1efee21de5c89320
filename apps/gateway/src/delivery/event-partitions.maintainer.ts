import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

import { EventPartitionRepository } from '@ferry/persistence';

import { GatewayConfig } from '../gateway.config';

/**
 * Keeps the monthly partitions of `events` made ahead of time (migration 1795900003000,
 * docs/DECISIONS.md 121): at start and every hour, every gateway replica makes the missing months
 * up to `FERRY_EVENT_PARTITIONS_AHEAD` months ahead. Making one is idempotent and takes no lock an
 * import waits on for long (the new month is empty), so replicas need no coordination; a row whose
 * month does not exist yet waits in `events_default` and is moved when its month is made.
 */
@Injectable()
export class EventPartitionsMaintainer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventPartitionsMaintainer.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly partitions: EventPartitionRepository,
    private readonly config: GatewayConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.ensure();
    this.timer = setInterval(() => void this.ensure(), 3600_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async ensure(): Promise<void> {
    try {
      const made = await this.partitions.ensureAhead(this.config.FERRY_EVENT_PARTITIONS_AHEAD);
      if (made > 0) this.logger.log(`made ${made} monthly partitions of events ahead`);
    } catch (err) {
      // Two replicas making the same month at once: one wins, the other tries again next hour.
      this.logger.warn(`could not make the partitions of events ahead: ${String(err)}`);
    }
  }
}
