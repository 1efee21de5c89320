import { refuseMetadata, shown } from './metadata-refusal';

/** How an import writes and when it gives up, beyond `max_errors` (docs/API.md §1). */
export interface ImportPolicy {
  /** `metadata.dry_run`: every check of a real import, no entity row written. */
  dryRun: boolean;
  /** `metadata.atomic`: every row of the file lands in one commit at the end, or none does. */
  atomic: boolean;
  /** `metadata.max_error_ratio`: rejected / processed above this ends the task FAILED; null = no ratio. */
  maxErrorRatio: number | null;
  /** `metadata.max_error_ratio_min_rows`: the ratio is judged only once this many rows were read. */
  ratioMinRows: number;
}

/** Rows read before `max_error_ratio` is judged, when the task does not say. */
export const DEFAULT_RATIO_MIN_ROWS = 100;

function flag(metadata: Readonly<Record<string, unknown>> | undefined, key: string): boolean {
  const given = metadata?.[key];
  if (given === undefined || given === null || given === false || given === 'false') return false;
  if (given === true || given === 'true') return true;
  return refuseMetadata(key, `metadata.${key} must be true or false, not ${shown(given)}`);
}

function ratio(metadata: Readonly<Record<string, unknown>> | undefined): number | null {
  const given = metadata?.['max_error_ratio'];
  if (given === undefined || given === null) return null;
  const n =
    typeof given === 'string' && /^(0|1)?(\.\d+)?$/.test(given) && given !== '' && given !== '.'
      ? Number(given)
      : given;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 1) {
    refuseMetadata(
      'max_error_ratio',
      `metadata.max_error_ratio must be a number from 0 to 1 (0.05 = 5% of the rows), not ${shown(given)}`,
    );
  }
  return n;
}

function minRows(metadata: Readonly<Record<string, unknown>> | undefined): number {
  const given = metadata?.['max_error_ratio_min_rows'];
  if (given === undefined || given === null) return DEFAULT_RATIO_MIN_ROWS;
  const n = typeof given === 'string' && /^\d+$/.test(given) ? Number(given) : given;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    refuseMetadata(
      'max_error_ratio_min_rows',
      `metadata.max_error_ratio_min_rows must be a whole number of 1 or more, not ${shown(given)}`,
    );
  }
  return n;
}

/**
 * The import options of `metadata` beside `max_errors`: `dry_run`, `atomic`, `max_error_ratio` and
 * `max_error_ratio_min_rows`. Booleans take true/false (or the strings "true"/"false", as a form
 * sends them); a bad value throws a validation FerryError naming it (a 400 at the gateway, a FAILED
 * task at a worker). `max_error_ratio_min_rows` without `max_error_ratio` is refused: it would
 * silently do nothing.
 */
export function parseImportPolicy(
  metadata: Readonly<Record<string, unknown>> | undefined,
): ImportPolicy {
  const policy: ImportPolicy = {
    dryRun: flag(metadata, 'dry_run'),
    atomic: flag(metadata, 'atomic'),
    maxErrorRatio: ratio(metadata),
    ratioMinRows: minRows(metadata),
  };
  const minGiven = metadata?.['max_error_ratio_min_rows'];
  if (policy.maxErrorRatio === null && minGiven !== undefined && minGiven !== null) {
    refuseMetadata(
      'max_error_ratio_min_rows',
      'metadata.max_error_ratio_min_rows only applies with metadata.max_error_ratio, which the task does not set',
    );
  }
  return policy;
}
