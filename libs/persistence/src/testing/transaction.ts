import type { PoolClient } from 'pg';
import { type DataSource, type EntityManager } from 'typeorm';

/**
 * Like withClient inside one transaction, for specs; `manager` runs ORM queries on the same
 * connection, so a COPY and a row written through the ORM commit together. Rolls back when `fn`
 * throws. (The pipeline holds its own transactions: BatchCommitter, the export snapshot.)
 */
export async function withTransaction<T>(
  ds: DataSource,
  fn: (client: PoolClient, manager: EntityManager) => Promise<T>,
): Promise<T> {
  const qr = ds.createQueryRunner();
  try {
    const client = (await qr.connect()) as PoolClient;
    await qr.startTransaction();
    try {
      const result = await fn(client, qr.manager);
      await qr.commitTransaction();
      return result;
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction();
      throw err;
    }
  } finally {
    await qr.release();
  }
}
