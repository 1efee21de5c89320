import { type RowError } from '@ferry/contracts';

import { type EntityImportDefinition, type ImportScope } from '../entity-definition';

export const TEST_SCOPE: ImportScope = {
  tenantId: 'tenant_1',
  environmentId: 'env_1',
  taskId: 'task_01HZX3K5V7R8Y9Z0ABCDEFGHJK',
  importTime: new Date('2025-03-04T05:06:07.000Z'),
};

/** Maps one row given as column → cell, the header in the object's key order (spec helper). */
export function mapRow<R>(
  definition: EntityImportDefinition<R>,
  row: Record<string, string>,
  line = 2,
): R | RowError {
  return definition.compile(Object.keys(row), TEST_SCOPE).map(Object.values(row), line);
}

export function isError(value: unknown): value is RowError {
  return typeof value === 'object' && value !== null && 'row_number' in value && 'code' in value;
}
