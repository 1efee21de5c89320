import { FerryError } from '@ferry/contracts';

import {
  checkRfc3339,
  describeTimestampProblem,
  TimestampProblem,
} from '../entity-types/events/rfc3339.parser';
import type { EntityExportDefinition } from '../export-definition';

/** The rows an export selects and how the file is written (docs/FORMATS.md §3). */
export interface ExportSelection {
  /** Inclusive lower bound on the entity's time column, RFC 3339. */
  startTime: string | null;
  /** Exclusive upper bound, RFC 3339. */
  endTime: string | null;
  /** Equality filters: column and value. */
  filters: Array<[string, string]>;
  gzip: boolean;
}

/** Selection keys docs/FORMATS.md §3 names; one an entity does not support is refused, not ignored. */
const FILTER_KEYS = ['event_name', 'external_customer_id'] as const;

/** Reads the selection out of a task's metadata; a bad value fails the task with a sentence. */
export function parseExportSelection(
  metadata: Record<string, unknown>,
  def: EntityExportDefinition,
): ExportSelection {
  const time = (key: 'start_time' | 'end_time'): string | null => {
    const v = metadata[key];
    if (v === undefined || v === null || v === '') return null;
    if (typeof v !== 'string')
      throw FerryError.validation(`metadata.${key} must be an RFC 3339 string`);
    const problem = checkRfc3339(v);
    if (problem !== TimestampProblem.None) {
      throw FerryError.validation(`metadata.${describeTimestampProblem(key, v, problem)}`);
    }
    return v;
  };
  const startTime = time('start_time');
  const endTime = time('end_time');
  if (startTime && endTime && Date.parse(startTime) > Date.parse(endTime)) {
    throw FerryError.validation('metadata.start_time must not be after metadata.end_time');
  }
  const filters: Array<[string, string]> = [];
  for (const key of FILTER_KEYS) {
    const v = metadata[key];
    if (v === undefined || v === null || v === '') continue;
    const column = def.filters[key];
    if (!column) {
      throw FerryError.validation(`metadata.${key} does not apply to an export of ${def.entity}`);
    }
    if (typeof v !== 'string') throw FerryError.validation(`metadata.${key} must be a string`);
    filters.push([column, v]);
  }
  const compression = metadata['compression'];
  if (
    compression !== undefined &&
    compression !== null &&
    compression !== 'gzip' &&
    compression !== 'none'
  ) {
    throw FerryError.validation(
      `metadata.compression ${JSON.stringify(compression)} is not supported; use "gzip" or leave it out`,
    );
  }
  return { startTime, endTime, filters, gzip: compression === 'gzip' };
}

/** The one query of an export: scoped, selected and in a stable order (time, natural key, id). */
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
  for (const [column, value] of sel.filters) {
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
