import type { PoolClient } from 'pg';

import { newId } from '@ferry/contracts';
import { createTestDatabase, type TestDatabase, withTransaction } from '@ferry/persistence/testing';

import { type EntityImportDefinition, type ImportScope } from '../entity-definition';
import { isError } from './map-row';

/** A migrated database and helpers to map rows and write them in one transaction (spec helper). */
export async function writerHarness(): Promise<{
  db: TestDatabase;
  records<R>(
    def: EntityImportDefinition<R>,
    scope: ImportScope,
    rows: Array<Record<string, string>>,
    firstLine?: number,
  ): R[];
  write<R>(
    def: EntityImportDefinition<R>,
    scope: ImportScope,
    records: R[],
  ): ReturnType<EntityImportDefinition<R>['writeBatch']>;
}> {
  const db = await createTestDatabase('ferry_ut_writers');
  return {
    db,
    records(def, scope, rows, firstLine = 2) {
      return rows.map((row, i) => {
        const r = def.compile(Object.keys(row), scope).map(Object.values(row), firstLine + i);
        if (isError(r)) throw new Error(`unexpected row error: ${r.message}`);
        return r;
      });
    },
    write(def, scope, records) {
      return withTransaction(db.ds, (client: PoolClient) => def.writeBatch(client, records, scope));
    },
  };
}

/** A scope with a fresh task (ids derived from task and line never meet another test's). */
export function scopeFor(environmentId: string, taskId = newId('task')): ImportScope {
  return {
    tenantId: 'tenant_1',
    environmentId,
    taskId,
    importTime: new Date('2025-03-04T05:06:07Z'),
  };
}
