import { StorageConfig } from '@ferry/files';
import { IsBoolean, IsInt, IsString, Max, Min } from 'class-validator';

export class ExporterConfig extends StorageConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3002;

  @IsString()
  HOST = '127.0.0.1';

  @IsInt()
  @Min(1)
  @Max(64)
  FERRY_EXPORT_CONCURRENCY = 2;

  /** Rows per cursor fetch (memory holds about one fetch). */
  @IsInt()
  @Min(100)
  @Max(100_000)
  FERRY_EXPORT_FETCH_ROWS = 1000;

  @IsInt()
  @Min(100)
  @Max(60_000)
  FERRY_PROGRESS_INTERVAL_MS = 1000;

  /** Lets an https:// export destination be on 127.0.0.1 (local set-ups and tests). */
  @IsBoolean()
  FERRY_ALLOW_LOOPBACK_SOURCES = false;
}
