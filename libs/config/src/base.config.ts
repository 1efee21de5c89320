import { IsBoolean, IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';

/** Settings every service reads. Defaults suit a local run; the README lists every variable. */
export class BaseConfig {
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/ferry';

  @IsString()
  @Matches(/^(nats|tls):\/\/[^,\s]+(,(nats|tls):\/\/[^,\s]+)*$/, {
    message: 'must be one or more nats:// URLs separated by commas',
  })
  NATS_URL = 'nats://127.0.0.1:4222';

  /** Prefix for subjects and stream names, so several deployments can share one NATS. */
  @Matches(/^[A-Za-z0-9_-]*$/, { message: 'may hold only letters, digits, "_" and "-"' })
  FERRY_NATS_PREFIX = '';

  /** Run pending migrations at start (development); production runs the migrations Job. */
  @IsBoolean()
  FERRY_MIGRATE_ON_START = true;

  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_POOL_SIZE = 10;

  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  FERRY_ACK_WAIT_MS = 30_000;

  @IsInt()
  @Min(1)
  @Max(100)
  FERRY_MAX_DELIVER = 5;

  /** JetStream stream replicas: 3 on a clustered deployment (R3), 1 on a single server. */
  @IsInt()
  @Min(1)
  @Max(5)
  FERRY_STREAM_REPLICAS = 1;
  /** nak delays (ms) by delivery number, comma separated; the last one repeats. */
  @Matches(/^\d{1,7}(,\d{1,7}){0,19}$/, {
    message: 'must be up to 20 delays in milliseconds separated by commas',
  })
  FERRY_NAK_BACKOFF_MS = '1000,5000,15000,30000';

  @IsIn(['log', 'debug', 'verbose', 'warn', 'error'])
  LOG_LEVEL = 'log';
}
