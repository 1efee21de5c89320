import type { ExportSelection, WatermarkRange } from '@ferry/contracts';

import type { EntityExportDefinition, ExportColumn } from '../export-definition';

/** What an export narrows besides its selection: its columns, its transaction-id range. */
export interface ExportShape {
  /** The columns written, in order (default: every column of the definition). */
  columns?: readonly ExportColumn[];
  /** Incremental: rows last written by a transaction id in `[from, to)` (docs/FORMATS.md §3). */
  watermark?: WatermarkRange | null;
}

/**
 * The definition's columns a selection names, in its order (`metadata.columns`, checked by
 * `parseExportColumns` of libs/contracts, whose names registries.spec.ts pins to the definitions).
 * The SQL is built from this list, so an unselected column is never read.
 */
export function selectColumns(
  def: EntityExportDefinition,
  names: readonly string[] | null,
): readonly ExportColumn[] {
  if (names === null) return def.columns;
  return names.map((name) => {
    const column = def.columns.find((c) => c.name === name);
    if (!column) throw new Error(`the ${def.entity} export definition has no column ${name}`);
    return column;
  });
}

/**
 * The one query of an export: scoped, selected (the selection parsed by `parseExportSelection` of
 * libs/contracts, each filter key mapped to this entity's column) and in a stable order (time,
 * natural key, id).
 */
export function buildExportQuery(
  def: EntityExportDefinition,
  scope: { tenantId: string; environmentId: string },
  sel: ExportSelection,
  shape: ExportShape = {},
): { where: string; params: string[]; select: string } {
  const params = [scope.tenantId, scope.environmentId];
  const where = ['tenant_id = $1', 'environment_id = $2'];
  if (sel.startTime) {
    params.push(sel.startTime);
    where.push(`${def.timeColumn} >= $${params.length}::timestamptz`);
  }
  if (sel.endTime) {
    params.push(sel.endTime);
    where.push(`${def.timeColumn} < $${params.length}::timestamptz`);
  }
  if (shape.watermark) {
    // Every entity table (and the FEATURES view) carries written_xid (migration 1795900002000).
    params.push(shape.watermark.from, shape.watermark.to);
    where.push(
      `written_xid >= $${params.length - 1}::xid8`,
      `written_xid < $${params.length}::xid8`,
    );
  }
  for (const [key, value] of sel.filters) {
    // parseExportSelection (libs/contracts) lets through only the keys EXPORT_FILTER_KEYS gives
    // this entity type, and a spec pins every definition's columns to that table.
    const column = def.filters[key];
    if (!column) throw new Error(`the ${def.entity} export definition has no column for ${key}`);
    params.push(value);
    where.push(`${column} = $${params.length}`);
  }
  // Aliased c0, c1, … so the COPY around it (export-copy.ts) can name each column once.
  const columns = (shape.columns ?? def.columns)
    .map((c, i) => `(${c.sql})::text AS c${i}`)
    .join(', ');
  const whereSql = `FROM ${def.table} WHERE ${where.join(' AND ')}`;
  const order = [def.timeColumn, ...(def.tieBreak ? [def.tieBreak] : []), def.idColumn];
  return {
    where: whereSql,
    params,
    select: `SELECT ${columns} ${whereSql} ORDER BY ${order.join(', ')}`,
  };
}
