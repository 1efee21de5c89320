import { BaseConfig } from '@ferry/telemetry';
import { IsInt, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';

export class GatewayConfig extends BaseConfig {
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

  /** How often the relay publishes outbox rows left unpublished (e.g. while NATS was down). */
  @IsInt()
  @Min(100)
  @Max(600_000)
  FERRY_OUTBOX_SWEEP_MS = 2000;

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
}
