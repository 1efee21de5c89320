import { IsInt, IsString, Max, Min } from 'class-validator';

import { BaseConfig } from '@ferry/config';

export class StatusConfig extends BaseConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3003;

  @IsString()
  HOST = '127.0.0.1';

  /** Status events applied at once; each is one short UPDATE. */
  @IsInt()
  @Min(1)
  @Max(256)
  FERRY_STATUS_CONCURRENCY = 16;
}
