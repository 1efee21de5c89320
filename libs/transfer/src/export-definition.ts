import { type EntityType, type ExportFilterKey } from '@ferry/contracts';

/**
 * One exported column: its name in the file (the import's column name, so an export imports back
 * unchanged) and the SQL expression that renders it as text. `json` columns hold JSON text (an
 * object), embedded as is in a JSON export and as one cell in a CSV.
 */
export interface ExportColumn {
  name: string;
  sql: string;
  kind: 'text' | 'json';
}

/** The contract every entity folder implements for export; the generic export runner drives it. */
export interface EntityExportDefinition {
  entity: EntityType;
  /** Table (or view) the rows come from; it has `tenant_id` and `environment_id` columns. */
  table: string;
  columns: readonly ExportColumn[];
  /** Column of `start_time`/`end_time` and of the order (time, then id): docs/FORMATS.md §3. */
  timeColumn: string;
  idColumn: string;
  /**
   * A natural key ordering rows of the same time before the id. Rows one import batch writes share
   * `created_at`, and their ids are new in every environment, so without it the order of such rows
   * would differ between an export and the export of its re-import.
   */
  tieBreak?: string;
  /**
   * The column each filter key matches. Which keys an entity type takes is EXPORT_FILTER_KEYS of
   * libs/contracts (the gateway refuses the others); `registries.spec.ts` pins the two.
   */
  filters: Readonly<Partial<Record<ExportFilterKey, string>>>;
}
