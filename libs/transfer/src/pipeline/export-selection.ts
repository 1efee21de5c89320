import type { ExportSelection } from '@ferry/contracts';

import type { EntityExportDefinition } from '../export-definition';

/**
 * The one query of an export: scoped, selected (the selection parsed by `parseExportSelection` of
 * libs/contracts, each filter key mapped to this entity's column) and in a stable order (time,
 * natural key, id).
 */
export function buildExportQuery(
  def: EntityExportDefinition,
  scope: { tenantId: string; environmentId: string },
  sel: ExportSelection,
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
  for (const [key, value] of sel.filters) {
    // parseExportSelection (libs/contracts) lets through only the keys EXPORT_FILTER_KEYS gives
    // this entity type, and a spec pins every definition's columns to that table.
    const column = def.filters[key];
    if (!column) throw new Error(`the ${def.entity} export definition has no column for ${key}`);
    params.push(value);
    where.push(`${column} = $${params.length}`);
  }
  const columns = def.columns.map((c) => `(${c.sql})::text`).join(', ');
  const whereSql = `FROM ${def.table} WHERE ${where.join(' AND ')}`;
  const order = [def.timeColumn, ...(def.tieBreak ? [def.tieBreak] : []), def.idColumn];
  return {
    where: whereSql,
    params,
    select: `SELECT ${columns} ${whereSql} ORDER BY ${order.join(', ')}`,
  };
}
