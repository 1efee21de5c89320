import { IsInt, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';

import { FetchConfig } from '@ferry/files';

/** FetchConfig: the SSRF guard's settings, for webhook deliveries and connection endpoints. */
export class GatewayConfig extends FetchConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '127.0.0.1';

  /** A fixed API key for the default tenant (else one is generated on first start and printed once). */
  @ValidateIf((c: GatewayConfig) => c.FERRY_API_KEY !== '')
  @Matches(/^\S{16,200}$/, { message: 'must be 16 to 200 characters without spaces' })
  FERRY_API_KEY = '';

  /** Days an import's before-images are kept for a revert (docs/API.md §5); later it is refused. */
  @IsInt()
  @Min(1)
  @Max(3650)
  FERRY_REVERT_RETENTION_DAYS = 30;

  /** How often the relay publishes outbox rows left unpublished (e.g. while NATS was down). */
  @IsInt()
  @Min(100)
  @Max(600_000)
  FERRY_OUTBOX_SWEEP_MS = 2000;

  /** Requests per minute per API key (token bucket per gateway replica); 0 turns it off. */
  @IsInt()
  @Min(0)
  FERRY_RATE_LIMIT_PER_MINUTE = 3000;

  /** Requests a key may make at once before the per-minute rate applies. */
  @IsInt()
  @Min(1)
  FERRY_RATE_LIMIT_BURST = 2000;

  /** Base of the download links the gateway signs (how clients reach it); empty = http://HOST:PORT. */
  @ValidateIf((c: GatewayConfig) => c.FERRY_PUBLIC_URL !== '')
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s):// URL' })
  FERRY_PUBLIC_URL = '';

  /** Largest upload accepted by POST /v1/uploads (413 beyond it). */
  @IsInt()
  @Min(1)
  FERRY_UPLOAD_MAX_BYTES = 5 * 1024 * 1024 * 1024;
  /** SSE (`/v1/tasks/{id}/events`): a comment line this often keeps idle streams open. */
  @IsInt()
  @Min(100)
  @Max(300_000)
  FERRY_SSE_HEARTBEAT_MS = 15_000;

  /** SSE: each watched task's row is re-read this often (once per task, not per watcher). */
  @IsInt()
  @Min(100)
  @Max(300_000)
  FERRY_SSE_POLL_MS = 3000;

  /** SSE: event streams one API key may hold open on this gateway; one more is a 429. */
  @IsInt()
  @Min(1)
  @Max(100_000)
  FERRY_SSE_MAX_STREAMS_PER_KEY = 20;

  /** SSE: event streams this gateway process holds open, all keys together; one more is a 429. */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  FERRY_SSE_MAX_STREAMS = 1000;

  /** How often the task sweeper looks for PENDING / PROCESSING tasks that went quiet. */
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  FERRY_TASK_SWEEP_MS = 10_000;

  /** A task PENDING this long has its `created` message published again (a re-drive). */
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  FERRY_PENDING_REDRIVE_MS = 60_000;

  /** A task PROCESSING without a status event this long is re-driven (resumes its checkpoint). */
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  FERRY_PROCESSING_SILENCE_MS = 300_000;

  /**
   * Re-drives without the task finishing before the sweeper ends it FAILED. They back off (bound,
   * 2×, 4×, …): with the defaults a PENDING task is given up after about an hour, a silent
   * PROCESSING one after about five.
   */
  @IsInt()
  @Min(1)
  @Max(30)
  FERRY_MAX_REDRIVES = 6;

  /** Months ahead of the current one for which the events table has its partitions made. */
  @IsInt()
  @Min(1)
  @Max(120)
  FERRY_EVENT_PARTITIONS_AHEAD = 3;

  /** How often the scheduler looks for due scheduled exports and failed runs to retry. */
  @IsInt()
  @Min(100)
  @Max(600_000)
  FERRY_SCHEDULER_TICK_MS = 5000;

  /** Catch-up after a downtime runs at most this many missed slots per schedule (the newest). */
  @IsInt()
  @Min(1)
  @Max(100_000)
  FERRY_SCHEDULE_MAX_CATCHUP = 1000;

  /** A scheduled run whose task FAILED is retried after each of these delays, then left FAILED. */
  @Matches(/^\d{1,9}(,\d{1,9}){0,9}$/, {
    message: 'must be up to 10 delays in ms, comma separated',
  })
  FERRY_SCHEDULE_RETRY_BACKOFF_MS = '60000,300000,900000';

  /** How often the webhook relay fans task ends out and sends due deliveries (docs/API.md §6). */
  @IsInt()
  @Min(50)
  @Max(600_000)
  FERRY_WEBHOOK_TICK_MS = 1000;

  /** A delivery that failed is tried again after each of these delays, then given up (~27 h). */
  @Matches(/^\d{1,9}(,\d{1,9}){0,19}$/, {
    message: 'must be up to 20 delays in ms, comma separated',
  })
  FERRY_WEBHOOK_BACKOFF_MS = '5000,300000,1800000,7200000,18000000,36000000,36000000';

  /** How long one webhook POST may take. */
  @IsInt()
  @Min(100)
  @Max(120_000)
  FERRY_WEBHOOK_TIMEOUT_MS = 10_000;
}
