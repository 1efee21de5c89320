import { FileType } from '@ferry/contracts';
import { withClient } from '@ferry/persistence';
import { type TestDatabase } from '@ferry/persistence/testing';

import { type EntityImportDefinition } from '../entity-definition';
import type { EntityExportDefinition } from '../export-definition';
import { exportFormatter } from '../pipeline/export-format';
import { buildExportQuery } from '../pipeline/export-selection';
import { scopeFor, type writerHarness } from './writer-db';

/** Exported rows as the import sees them: column → cell ('' for no value). */
export type ExportedRow = Record<string, string>;

/** The rows an export definition selects for one environment (spec helper; tenant_1 as scopeFor). */
export async function exportRows(
  db: TestDatabase,
  def: EntityExportDefinition,
  environmentId: string,
): Promise<{ header: string[]; cells: Array<Array<string | null>> }> {
  const q = buildExportQuery(
    def,
    { tenantId: 'tenant_1', environmentId },
    {
      startTime: null,
      endTime: null,
      filters: [],
      gzip: false,
    },
  );
  const res = await withClient(db.ds, (c) =>
    c.query<Array<string | null>>({ text: q.select, values: q.params, rowMode: 'array' }),
  );
  return {
    header: def.columns.map((c) => c.name),
    cells: res.rows,
  };
}

/**
 * What the JSON reader hands the row mapper for a JSON export's elements: strings as they are,
 * `null` as a blank cell, objects and arrays as their JSON text (DECISIONS, Issue 3).
 */
export function jsonExportRows(
  def: EntityExportDefinition,
  cells: Array<Array<string | null>>,
): ExportedRow[] {
  const f = exportFormatter(FileType.JSON, def.columns);
  const text = f.head() + f.rows(cells) + f.tail();
  return (JSON.parse(text) as Array<Record<string, unknown>>).map((o) => {
    const row: ExportedRow = {};
    for (const [k, v] of Object.entries(o)) {
      row[k] = v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    }
    return row;
  });
}

/** The CSV view of the same rows (cells as text, '' for no value). */
export function csvExportRows(header: string[], cells: Array<Array<string | null>>): ExportedRow[] {
  return cells.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/**
 * Imports `rows` into one environment, exports them, imports the export (CSV or JSON view, after
 * `adapt`) into a second environment and exports again (spec helper). Returns both exports and the
 * columns the re-import ignored.
 */
export async function roundTrip<R>(
  h: Awaited<ReturnType<typeof writerHarness>>,
  imp: EntityImportDefinition<R>,
  exp: EntityExportDefinition,
  rows: Array<Record<string, string>>,
  view: 'csv' | 'json',
  envs: [string, string],
  adapt: (row: ExportedRow) => ExportedRow = (r) => r,
): Promise<{ first: ExportedRow[]; second: ExportedRow[]; ignored: string[] }> {
  const [envA, envB] = envs;
  const a = scopeFor(envA);
  const wroteA = await h.write(imp, a, h.records(imp, a, rows));
  if (wroteA.rowErrors.length > 0) throw new Error(wroteA.rowErrors[0].message);
  const toRows = async (env: string) => {
    const { header, cells } = await exportRows(h.db, exp, env);
    return view === 'csv' ? csvExportRows(header, cells) : jsonExportRows(exp, cells);
  };
  const first = await toRows(envA);
  const b = scopeFor(envB);
  const back = first.map(adapt);
  const ignored = imp.compile(Object.keys(back[0]), b).ignoredColumns;
  const wroteB = await h.write(imp, b, h.records(imp, b, back));
  if (wroteB.rowErrors.length > 0) throw new Error(wroteB.rowErrors[0].message);
  return { first, second: await toRows(envB), ignored };
}

const SERVER_COLUMNS = ['id', 'created_at', 'updated_at', 'meter_id'];

/** A row without the server-assigned columns (docs/FORMATS.md §1). */
export function withoutServerColumns(row: ExportedRow): ExportedRow {
  return Object.fromEntries(Object.entries(row).filter(([k]) => !SERVER_COLUMNS.includes(k)));
}
