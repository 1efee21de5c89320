import { refuseMetadata, shown } from './metadata-refusal';

/**
 * `metadata.max_errors` of an import: the rejected rows it tolerates, a whole number ≥ 0 (a string
 * of digits counts), or null when the task leaves it to FERRY_MAX_ROW_ERRORS. Anything else throws
 * a validation FerryError naming the value (a 400 at the gateway, a FAILED task at a worker).
 */
export function parseMaxErrors(
  metadata: Readonly<Record<string, unknown>> | undefined,
): number | null {
  const given = metadata?.['max_errors'];
  if (given === undefined || given === null) return null;
  const n = typeof given === 'string' && /^\d+$/.test(given) ? Number(given) : given;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    refuseMetadata(
      'max_errors',
      `metadata.max_errors must be a whole number of 0 or more, not ${shown(given)}`,
    );
  }
  return n;
}
