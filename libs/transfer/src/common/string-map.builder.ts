import { RowErrorCode } from '@ferry/contracts';

import { type CellReader } from './cell.reader';
import { type EntityColumns } from './entity-columns';
import { invalid, RowProblem, show } from './row-problem';

export const STRING_MAP_LIMITS = { keys: 100, key: 255, value: 4096, json: 64 * 1024 } as const;

/** What a row says about a string map (metadata): keys to set, and keys a blank cell clears. */
export interface StringMapChange {
  set: Record<string, string>;
  remove: string[];
}

/**
 * Builds a string map (metadata) from `<prefix><key>` cells and a JSON-object cell; the JSON
 * wins on a shared key (docs/FORMATS.md §2). A blank `metadata.<key>` cell sets "" (a `null` in
 * the JSON removes the key); numbers and booleans in the JSON become their text; nested objects
 * are refused (metadata is flat).
 */
export function buildStringMap(
  column: string,
  keys: readonly string[],
  cells: ReadonlyArray<string | null>,
  json: string | null,
): StringMapChange {
  const set: Record<string, string> = Object.create(null) as Record<string, string>;
  const remove: string[] = [];
  for (let k = 0; k < keys.length; k++) {
    const v = cells[k];
    // A blank cell is the empty string, as Flexprice stores it (docs/FORMATS.md §2).
    if (v !== null) set[keys[k]] = checkValue(`${column}.${keys[k]}`, v);
  }
  if (json !== null && json !== '') {
    if (json.length > STRING_MAP_LIMITS.json) {
      throw new RowProblem(
        RowErrorCode.TOO_LONG,
        `${column} is ${json.length} characters long, more than the ${STRING_MAP_LIMITS.json} allowed`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (err) {
      throw invalid(`${column} ${show(json)} is not valid JSON (${(err as Error).message})`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw invalid(`${column} must be a JSON object of strings, not ${show(json)}`);
    }
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof value === 'string') set[key] = checkValue(`${column}.${key}`, value);
      else if (typeof value === 'number' || typeof value === 'boolean') set[key] = String(value);
      else if (value === null) {
        delete set[key];
        remove.push(key);
      } else
        throw invalid(
          `${column}.${key} must be a string, not a nested ${Array.isArray(value) ? 'array' : 'object'}`,
        );
      const at = remove.indexOf(key);
      if (value !== null && at !== -1) remove.splice(at, 1);
    }
  }
  const count = Object.keys(set).length;
  if (count > STRING_MAP_LIMITS.keys)
    throw invalid(`${column} has ${count} keys, more than the ${STRING_MAP_LIMITS.keys} allowed`);
  for (const key of Object.keys(set)) {
    if (key.length > STRING_MAP_LIMITS.key)
      throw new RowProblem(
        RowErrorCode.TOO_LONG,
        `${column} key ${show(key)} is longer than ${STRING_MAP_LIMITS.key} characters`,
      );
    if (key.indexOf('\0') !== -1)
      throw invalid(`${column} key ${show(key)} contains a NUL character`);
  }
  return { set, remove };
}

function checkValue(column: string, v: string): string {
  if (v.length > STRING_MAP_LIMITS.value) {
    throw new RowProblem(
      RowErrorCode.TOO_LONG,
      `${column} is ${v.length} characters long, more than the ${STRING_MAP_LIMITS.value} allowed`,
    );
  }
  if (v.indexOf('\0') !== -1)
    throw invalid(`${column} ${show(v)} contains a NUL character, which cannot be stored`);
  return v;
}

/** A row's metadata: its `metadata` JSON cell and its `metadata.<key>` cells (docs/FORMATS.md §2). */
export function readMetadata(c: CellReader, columns: EntityColumns<'metadata'>): StringMapChange {
  return buildStringMap(
    'metadata',
    columns.prefixedKeys,
    columns.prefixedIndexes.map((i) => c.raw(i)),
    c.raw(columns.index.metadata),
  );
}

/** A record's change to its metadata, as its writer stages it. */
export interface MetadataChange {
  metadataSet: Record<string, string>;
  metadataRemove: string[];
}

/** Two rows' metadata changes as one, the later applied after the earlier (a batch's fold). */
export function foldMetadata(earlier: MetadataChange, later: MetadataChange): MetadataChange {
  const set = { ...earlier.metadataSet };
  for (const key of later.metadataRemove) delete set[key];
  Object.assign(set, later.metadataSet);
  const remove = earlier.metadataRemove
    .filter((k) => !(k in later.metadataSet))
    .concat(later.metadataRemove);
  return { metadataSet: set, metadataRemove: [...new Set(remove)] };
}
