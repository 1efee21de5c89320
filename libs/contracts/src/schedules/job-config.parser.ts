import type { EntityType } from '../enums';
import { FerryError } from '../ferry.error';
import { parseExportColumns } from '../task-metadata/export-columns.parser';
import { S3_ENCRYPTIONS, type S3Encryption } from '../task-metadata/export-connection.parser';
import { shown } from '../task-metadata/metadata-refusal';

/** How a schedule selects each run's rows (docs/API.md §4). */
export enum ScheduleMode {
  /** Every row exported once across runs, late arrivals included: by an ingestion watermark. */
  INCREMENTAL = 'incremental',
  /** Flexprice's: the slot's window by event time, `lag_seconds` after the slot ends. */
  WINDOW = 'window',
}

/** The connection id that names the built-in store (no registration, no credentials). */
export const BUILT_IN_STORE_CONNECTION = 'store';

/** A schedule's `job_config`, checked and with its defaults, as it is stored and returned. */
export interface JobConfig {
  bucket: string;
  region: string | null;
  /** No leading or trailing `/`; '' for none. */
  key_prefix: string;
  compression: 'none' | 'gzip';
  encryption: S3Encryption | null;
  endpoint_url: string | null;
  use_path_style: boolean;
  mode: ScheduleMode;
  /** Window mode: how long after a slot's end its export runs (late events); null otherwise. */
  lag_seconds: number | null;
  /** Column selection, in order; null for every column. */
  columns: string[] | null;
}

/** Flexprice waits 15 minutes after an interval before exporting it; so does window mode. */
export const DEFAULT_WINDOW_LAG_SECONDS = 900;
const S3_ONLY = ['region', 'encryption', 'endpoint_url', 'use_path_style'] as const;
const KEYS = [
  'bucket',
  'region',
  'key_prefix',
  'compression',
  'encryption',
  'endpoint_url',
  'use_path_style',
  'mode',
  'lag_seconds',
  'columns',
];

function refuse(key: string, message: string): never {
  throw FerryError.validation(message, { fields: { [`job_config.${key}`]: [message] } });
}

/**
 * Checks a schedule's `job_config` for its destination (the built-in store when `builtIn`, else
 * an S3 connection) and entity type. Every problem is a validation FerryError whose sentence
 * names the key and the value; a key Ferry does not read is refused, not ignored.
 */
export function parseJobConfig(
  raw: unknown,
  target: { entity: EntityType; builtIn: boolean; storeBuckets: readonly string[] },
): JobConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    const message = `job_config must be an object, not ${shown(raw)}`;
    throw FerryError.validation(message, { fields: { job_config: [message] } });
  }
  const c = raw as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if (!KEYS.includes(key))
      refuse(key, `job_config.${key} is not a setting Ferry reads; it reads ${KEYS.join(', ')}`);
  }
  const given = (key: string): boolean => c[key] !== undefined && c[key] !== null && c[key] !== '';
  const str = (key: string, re: RegExp, rule: string): string | null => {
    if (!given(key)) return null;
    const v = c[key];
    if (typeof v !== 'string' || !re.test(v))
      refuse(key, `job_config.${key} ${rule}, not ${shown(v)}`);
    return v;
  };

  let bucket: string;
  if (target.builtIn) {
    for (const key of S3_ONLY) {
      if (given(key))
        refuse(key, `job_config.${key} applies to an S3 connection, not to the built-in store`);
    }
    bucket = str('bucket', /^[a-z0-9_-]{1,64}$/, 'must name a built-in store bucket') ?? 'exports';
    if (!target.storeBuckets.includes(bucket)) {
      refuse(
        'bucket',
        `job_config.bucket "${bucket}" is not a bucket of the built-in store; use one of ${target.storeBuckets.join(', ')}`,
      );
    }
  } else {
    const b = str('bucket', /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name');
    if (b === null) refuse('bucket', 'job_config.bucket is required for an S3 connection');
    bucket = b;
  }
  const region = target.builtIn
    ? null
    : (str('region', /^[a-z0-9-]{1,64}$/, 'must be an S3 region such as eu-west-1') ?? 'us-east-1');
  const prefix =
    str(
      'key_prefix',
      /^[^\s\\]{0,512}$/,
      'must be a key prefix of at most 512 characters without spaces',
    ) ?? '';
  const keyPrefix = prefix.replace(/^\/+|\/+$/g, '');
  if (keyPrefix.split('/').some((p) => p === '..' || p === '.')) {
    refuse(
      'key_prefix',
      `job_config.key_prefix ${shown(prefix)} may not hold a "." or ".." segment`,
    );
  }
  const compression = c['compression'] ?? 'none';
  if (compression !== 'none' && compression !== 'gzip') {
    refuse(
      'compression',
      `job_config.compression must be "none" or "gzip", not ${shown(compression)}`,
    );
  }
  const encryption = c['encryption'] ?? null;
  if (encryption !== null && !S3_ENCRYPTIONS.includes(encryption as S3Encryption)) {
    refuse(
      'encryption',
      `job_config.encryption must be one of ${S3_ENCRYPTIONS.join(', ')}, not ${shown(encryption)}`,
    );
  }
  const endpoint = str(
    'endpoint_url',
    /^https?:\/\/[^\s/?#@]+(\/\S*)?$/i,
    'must be an http(s):// URL without credentials',
  );
  const pathStyle = c['use_path_style'] ?? false;
  if (typeof pathStyle !== 'boolean')
    refuse(
      'use_path_style',
      `job_config.use_path_style must be true or false, not ${shown(pathStyle)}`,
    );
  const mode = c['mode'] ?? ScheduleMode.INCREMENTAL;
  if (mode !== ScheduleMode.INCREMENTAL && mode !== ScheduleMode.WINDOW) {
    refuse('mode', `job_config.mode must be "incremental" or "window", not ${shown(mode)}`);
  }
  let lag: number | null = null;
  if (mode === ScheduleMode.WINDOW) {
    const l = c['lag_seconds'] ?? DEFAULT_WINDOW_LAG_SECONDS;
    if (typeof l !== 'number' || !Number.isInteger(l) || l < 0 || l > 7 * 86_400) {
      refuse(
        'lag_seconds',
        `job_config.lag_seconds must be a whole number of seconds from 0 to 604800, not ${shown(l)}`,
      );
    }
    lag = l;
  } else if (given('lag_seconds')) {
    refuse(
      'lag_seconds',
      'job_config.lag_seconds applies to mode "window" only (an incremental run misses no late row)',
    );
  }
  const columns = parseExportColumns(c['columns'], target.entity, 'job_config.columns', (_k, m) =>
    refuse('columns', m),
  );
  return {
    bucket,
    region,
    key_prefix: keyPrefix,
    compression,
    encryption: encryption as S3Encryption | null,
    endpoint_url: endpoint,
    use_path_style: pathStyle,
    mode,
    lag_seconds: lag,
    columns,
  };
}
