import { refuseMetadata, shown } from './metadata-refusal';

/**
 * `metadata.strict` of an import (docs/API.md §1): true reads a CSV strictly (a row whose cell
 * count differs from the header, or a stray quote, is a row error; cells are kept as written);
 * false or absent reads it as Flexprice does, each leniency a warning (docs/FORMATS.md §1).
 * `"true"`/`"false"` count. Anything else throws a validation FerryError naming the value.
 */
export function parseStrict(metadata: Readonly<Record<string, unknown>> | undefined): boolean {
  const given = metadata?.['strict'];
  if (given === undefined || given === null || given === false || given === 'false') return false;
  if (given === true || given === 'true') return true;
  return refuseMetadata('strict', `metadata.strict must be true or false, not ${shown(given)}`);
}
