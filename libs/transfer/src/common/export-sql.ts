import type { ExportColumn } from '../export-definition';

/** RFC 3339 in UTC with only the fraction digits the value has (`…:05Z`, `…:05.25Z`). */
export const utc = (column: string): string =>
  `regexp_replace(to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '\\.?0+Z$', 'Z')`;

/** Plain text columns, each exported under its own name. */
export const textColumns = (...names: string[]): ExportColumn[] =>
  names.map((name) => ({ name, sql: name, kind: 'text' }));

/** The server-assigned times every entity table has (docs/FORMATS.md §1); an import ignores them. */
export const SERVER_TIMES: readonly ExportColumn[] = [
  { name: 'created_at', sql: utc('created_at'), kind: 'text' },
  { name: 'updated_at', sql: utc('updated_at'), kind: 'text' },
];
