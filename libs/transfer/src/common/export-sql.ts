import type { ExportColumn } from '../export-definition';

/** RFC 3339 in UTC with only the fraction digits the value has (`…:05Z`, `…:05.25Z`). */
export const utc = (column: string): string =>
  `regexp_replace(to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '\\.?0+Z$', 'Z')`;

/**
 * How an export renders a column other than as its own text: `json` embeds its stored JSON
 * (an object or array in a JSON export, one cell in a CSV), `time` writes RFC 3339 UTC, `{ sql }`
 * reads another expression (docs/DECISIONS.md, decisions 48 and 51).
 */
export type ColumnRendering = 'json' | 'time' | { sql: string };

/**
 * An entity's import columns as export columns, in their order and under their own names, so an
 * export imports back unchanged (docs/FORMATS.md §1, round trip). Typed by the column list, so a
 * rendering can only name a column the list has.
 */
export function exportColumns<C extends string>(
  columns: readonly C[],
  rendering: Partial<Record<C, ColumnRendering>> = {},
): ExportColumn[] {
  return columns.map((name): ExportColumn => {
    const r = rendering[name];
    if (r === 'json') return { name, sql: `${name}::text`, kind: 'json' };
    if (r === 'time') return { name, sql: utc(name), kind: 'text' };
    return { name, sql: r?.sql ?? name, kind: 'text' };
  });
}

/** The id every entity table has, first in its export; server-assigned, so an import ignores it. */
export const ID_COLUMN: ExportColumn = { name: 'id', sql: 'id', kind: 'text' };

/** The server-assigned times every entity table has (docs/FORMATS.md §1); an import ignores them. */
export const SERVER_TIMES: readonly ExportColumn[] = [
  { name: 'created_at', sql: utc('created_at'), kind: 'text' },
  { name: 'updated_at', sql: utc('updated_at'), kind: 'text' },
];
