import { StorageConfig } from '@ferry/files';
import { IsBoolean, IsInt, IsString, Max, Min } from 'class-validator';

export class ImporterConfig extends StorageConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3001;

  @IsString()
  HOST = '127.0.0.1';

  /** Import tasks one importer runs at once, per entity type. */
  @IsInt()
  @Min(1)
  @Max(64)
  FERRY_IMPORT_CONCURRENCY = 2;

  @IsInt()
  @Min(1)
  @Max(200_000)
  FERRY_IMPORT_BATCH_SIZE = 10_000;

  /** A batch is also committed at this many characters of cells (bounds memory for huge rows). */
  @IsInt()
  @Min(64 * 1024)
  FERRY_IMPORT_BATCH_CHARS = 8 * 1024 * 1024;

  /** Connections writing one events import's batches at once (committed in order). */
  @IsInt()
  @Min(1)
  @Max(8)
  FERRY_IMPORT_WRITERS = 2;

  @IsInt()
  @Min(100)
  @Max(60_000)
  FERRY_PROGRESS_INTERVAL_MS = 1000;

  /** Lets file_url point at 127.0.0.1 / localhost (local set-ups and tests). Off by default. */
  @IsBoolean()
  FERRY_ALLOW_LOOPBACK_SOURCES = false;

  @IsInt()
  @Min(1024)
  FERRY_MAX_FILE_BYTES = 10 * 1024 * 1024 * 1024;

  @IsInt()
  @Min(100)
  FERRY_CONNECT_TIMEOUT_MS = 10_000;

  @IsInt()
  @Min(100)
  FERRY_IDLE_TIMEOUT_MS = 60_000;
}
