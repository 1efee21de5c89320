import { IsInt, IsString, Max, Min } from 'class-validator';

import { FetchConfig } from '@ferry/files';

/** The importer's settings; the SSRF guard's (allow-list, http, connect timeout) come from FetchConfig. */
export class ImporterConfig extends FetchConfig {
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

  /**
   * Imports of one tenant+environment and entity type running at once across all importers; the
   * tenant's further tasks wait their turn, so other tenants' tasks run meanwhile (0: no limit).
   */
  @IsInt()
  @Min(0)
  @Max(1000)
  FERRY_TENANT_MAX_RUNNING_IMPORTS = 1;

  /** Files declared smaller than this (bytes) import without waiting for a turn. */
  @IsInt()
  @Min(0)
  FERRY_TENANT_TURN_MIN_BYTES = 1024 * 1024;

  /**
   * A CSV events file of at least two parts' worth of bytes, from a source serving byte ranges,
   * is read in parts of this size by any importer (docs/DECISIONS.md 128). 0: never split.
   */
  @IsInt()
  @Min(0)
  FERRY_IMPORT_PART_BYTES = 64 * 1024 * 1024;

  /** Parts of split imports one importer reads at once, per entity type. */
  @IsInt()
  @Min(1)
  @Max(64)
  FERRY_IMPORT_PART_CONCURRENCY = 1;

  @IsInt()
  @Min(1)
  @Max(200_000)
  FERRY_IMPORT_BATCH_SIZE = 10_000;

  /** A batch is also committed at this many characters of cells (bounds memory for huge rows). */
  @IsInt()
  @Min(64 * 1024)
  FERRY_IMPORT_BATCH_CHARS = 8 * 1024 * 1024;

  /** Connections writing one events or customers import's batches at once (committed in order). */
  @IsInt()
  @Min(1)
  @Max(8)
  FERRY_IMPORT_WRITERS = 2;

  @IsInt()
  @Min(100)
  @Max(60_000)
  FERRY_PROGRESS_INTERVAL_MS = 1000;

  /** Largest file downloaded (bytes), on Content-Length and while streaming. */
  @IsInt()
  @Min(1024)
  FERRY_MAX_FILE_BYTES = 10 * 1024 * 1024 * 1024;

  /** Largest decompressed size of a gzip file (a gzip bomb stops here). */
  @IsInt()
  @Min(1024)
  FERRY_MAX_DECOMPRESSED_BYTES = 50 * 1024 * 1024 * 1024;

  /** Time the server may stay silent during a download. */
  @IsInt()
  @Min(100)
  FERRY_IDLE_TIMEOUT_MS = 60_000;

  /** Time a whole download may take (redirects and body). */
  @IsInt()
  @Min(100)
  FERRY_DOWNLOAD_TIMEOUT_MS = 2 * 3600 * 1000;

  /**
   * Slowest an http(s) source may send (bytes/s, averaged over FERRY_MIN_TRANSFER_WINDOW_MS),
   * as curl's --speed-limit; below it the delivery is retried, then the task FAILED. 0: no floor.
   */
  @IsInt()
  @Min(0)
  FERRY_MIN_TRANSFER_BYTES_PER_S = 1024;

  /** The window of FERRY_MIN_TRANSFER_BYTES_PER_S, as curl's --speed-time. */
  @IsInt()
  @Min(100)
  FERRY_MIN_TRANSFER_WINDOW_MS = 60_000;

  /** Longest CSV row / JSON element (characters of text); a longer one is a row error. */
  @IsInt()
  @Min(64)
  FERRY_MAX_ROW_BYTES = 1024 * 1024;

  /** Most columns in a CSV row / keys in a JSON element. */
  @IsInt()
  @Min(1)
  FERRY_MAX_COLUMNS = 1000;

  /** Longest single value. */
  @IsInt()
  @Min(16)
  FERRY_MAX_CELL_BYTES = 64 * 1024;

  /** Deepest nesting of a JSON element. */
  @IsInt()
  @Min(1)
  @Max(1000)
  FERRY_MAX_JSON_DEPTH = 32;

  /** Rejected rows a task may have before it ends FAILED, unless its metadata.max_errors says. */
  @IsInt()
  @Min(0)
  FERRY_MAX_ROW_ERRORS = 10_000;
}
