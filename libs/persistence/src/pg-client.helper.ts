import type { PoolClient } from 'pg';
import { type DataSource } from 'typeorm';

/**
 * A raw pg connection, or the part of one a repository method needs. Methods that must run
 * inside a caller's transaction (a batch's COPY, its checkpoint and its row errors commit
 * together: docs/ARCHITECTURE.md invariant 2) take one instead of using the pool.
 */
export type Queryable = Pick<PoolClient, 'query'>;

/**
 * Runs `fn` with a raw pg connection from the data source's pool, for hot paths the ORM cannot
 * serve (COPY) and for transactions a caller holds open. The connection returns to the pool
 * afterwards.
 */
export async function withClient<T>(
  ds: DataSource,
  fn: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const qr = ds.createQueryRunner();
  try {
    const client = (await qr.connect()) as PoolClient;
    return await fn(client);
  } finally {
    await qr.release();
  }
}
