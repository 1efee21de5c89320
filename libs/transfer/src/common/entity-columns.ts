import { FerryError } from '@ferry/contracts';

import type { ExportColumn } from '../export-definition';

/** Positions of an entity's columns in one file's header (-1 = absent). */
export interface EntityColumns<C extends string> {
  index: Readonly<Record<C, number>>;
  /** `<prefix><key>` columns (e.g. metadata.tier): positions and keys, in header order. */
  prefixedIndexes: number[];
  prefixedKeys: string[];
  ignored: string[];
}

function plural(names: string[], one: string, many: string): string {
  return names.length === 1 ? one : many;
}

/**
 * Reads a header once against an entity's known columns. A missing required column or a repeated
 * one fails the whole file; unknown columns are listed (metadata.ignored_columns).
 */
export function resolveColumns<C extends string>(
  header: readonly string[],
  known: readonly C[],
  requiredColumns: readonly C[],
  prefix: string,
  serverAssigned: readonly string[] = [],
): EntityColumns<C> {
  const index = Object.fromEntries(known.map((c) => [c, -1])) as Record<C, number>;
  const knownSet = new Set<string>(known);
  const assigned = new Set(serverAssigned);
  const prefixedIndexes: number[] = [];
  const prefixedKeys: string[] = [];
  const ignored: string[] = [];
  const seen = new Set<string>();
  const repeated = new Set<string>();
  header.forEach((name, i) => {
    const isPrefixed = name.startsWith(prefix) && name.length > prefix.length;
    if (knownSet.has(name) || isPrefixed) {
      if (seen.has(name)) repeated.add(name);
      seen.add(name);
    }
    if (knownSet.has(name)) index[name as C] = i;
    else if (isPrefixed) {
      prefixedIndexes.push(i);
      prefixedKeys.push(name.slice(prefix.length));
    } else if (name !== '' && !assigned.has(name)) ignored.push(name);
  });
  const missing = requiredColumns.filter((c) => index[c] === -1);
  if (missing.length > 0) {
    const found = header.length > 12 ? [...header.slice(0, 12), '…'] : header;
    throw FerryError.validation(
      `the file lacks the required ${plural(missing, 'column', 'columns')} ${missing.join(', ')} ` +
        `(column names are matched exactly; the header has: ${found.join(', ')})`,
      { missing_columns: missing },
    );
  }
  if (repeated.size > 0) {
    const names = [...repeated];
    throw FerryError.validation(
      `the ${plural(names, 'column', 'columns')} ${names.join(', ')} ${plural(names, 'appears', 'appear')} more than once in the header`,
      { duplicate_columns: names },
    );
  }
  return { index, prefixedIndexes, prefixedKeys, ignored };
}

/**
 * The header resolver of an entity type whose free keys are `metadata.<key>` columns. The columns
 * its export writes besides the import's own (`id`, the times, …: server-assigned) are ignored
 * by an import without being listed in `ignored_columns`, so an export imports back without
 * noise (docs/FORMATS.md §1).
 */
export function metadataColumnsResolver<C extends string>(
  known: readonly C[],
  requiredColumns: readonly C[],
  exported: readonly ExportColumn[],
): (header: readonly string[]) => EntityColumns<C> {
  const knownSet = new Set<string>(known);
  const serverAssigned = exported.map((c) => c.name).filter((name) => !knownSet.has(name));
  return (header) => resolveColumns(header, known, requiredColumns, 'metadata.', serverAssigned);
}
