import { IsInt, IsString, Max, Min } from 'class-validator';

import { FetchConfig } from '@ferry/files';

/** The exporter's settings; an https PUT destination goes through FetchConfig's SSRF guard. */
export class ExporterConfig extends FetchConfig {
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

  @IsInt()
  @Min(100)
  @Max(60_000)
  FERRY_PROGRESS_INTERVAL_MS = 1000;
}
