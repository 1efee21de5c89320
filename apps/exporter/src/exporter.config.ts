import { BaseConfig } from '@ferry/telemetry';
import { IsInt, IsString, Max, Min } from 'class-validator';

export class ExporterConfig extends BaseConfig {
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
}
