import { IsBoolean, IsInt, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';

import { BaseConfig } from '@ferry/config';

/** Settings of the services that read or write objects (gateway, importer, exporter). */
export class StorageConfig extends BaseConfig {
  /** Buckets of the built-in store users may name (uploads land in `uploads`). */
  @Matches(/^[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*$/, {
    message: 'must be bucket names separated by commas',
  })
  FERRY_STORE_BUCKETS = 'exports,uploads';

  /** S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO); empty = AWS itself. */
  @ValidateIf((c: StorageConfig) => c.FERRY_S3_ENDPOINT !== '')
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s):// URL' })
  FERRY_S3_ENDPOINT = '';

  @IsString()
  FERRY_S3_REGION = 'us-east-1';

  /** Empty = the AWS SDK's default credential chain (environment, profile, instance role). */
  @IsString()
  FERRY_S3_ACCESS_KEY_ID = '';

  @IsString()
  FERRY_S3_SECRET_ACCESS_KEY = '';

  @IsBoolean()
  FERRY_S3_FORCE_PATH_STYLE = true;

  /**
   * Secret for the signed download links of the built-in store (HMAC-SHA256). Empty = a random
   * one per gateway process (links then die with the process; set it when running several).
   */
  @IsString()
  @Matches(/^(\S{16,})?$/, { message: 'must be at least 16 characters without spaces' })
  FERRY_DOWNLOAD_SECRET = '';

  /** How long a download link lives, in seconds (docs/API.md §1: 30 minutes). */
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 3600)
  FERRY_DOWNLOAD_TTL_SECONDS = 1800;

  /**
   * The key connections' secrets are sealed with (AES-256-GCM; 32 bytes as 64 hex digits or
   * base64). Gateway and exporter: empty = no connection can be registered, and they refuse to
   * start while connections with sealed secrets exist (docs/DECISIONS.md decision 75).
   */
  @ValidateIf((c: StorageConfig) => c.FERRY_SECRETS_KEY !== '')
  @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, {
    message: 'must be 32 bytes as 64 hex digits or base64',
  })
  FERRY_SECRETS_KEY = '';
}
