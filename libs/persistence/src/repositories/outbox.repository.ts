import { type DataSource, type Repository } from 'typeorm';

import { OutboxEntity } from '../entities/outbox.entity';

/**
 * What a publish callback reports: the ids it published, and why others failed (kept as the
 * row's `last_error`; a row without an entry there reads "not published").
 */
export interface PublishOutcome {
  published: string[];
  errors?: Record<string, string>;
}

export type PublishBatch = (rows: OutboxEntity[]) => Promise<PublishOutcome>;

const MAX_ERROR_LENGTH = 1000;

export class OutboxRepository {
  private readonly repo: Repository<OutboxEntity>;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(OutboxEntity);
  }

  /** For the fast path: the gateway published right after commit. Returns rows updated. */
  async markPublished(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const res: [unknown[], number] = await this.repo.query(
      `UPDATE outbox SET published_at = now()
        WHERE id = ANY($1::bigint[]) AND published_at IS NULL`,
      [[...ids]],
    );
    return res[1];
  }

  /**
   * The relay's sweep: locks up to `limit` unpublished rows at least `olderThanMs` old with
   * `FOR UPDATE SKIP LOCKED` (another replica's sweep skips them), hands them to `publish`, and in
   * the same transaction marks the ids it reports published and counts an attempt with its error
   * on the rest. A throwing `publish` fails the whole batch; the error is recorded on the rows,
   * not rethrown, so the sweep goes on. Returns the claimed rows as they now stand.
   */
  async claimUnpublished(
    limit: number,
    olderThanMs: number,
    publish: PublishBatch,
  ): Promise<OutboxEntity[]> {
    return this.ds.transaction(async (manager) => {
      const rows = await manager
        .createQueryBuilder(OutboxEntity, 'o')
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .where('o.published_at IS NULL')
        .andWhere('o.created_at <= now() - make_interval(secs => :secs)', {
          secs: olderThanMs / 1000,
        })
        .orderBy('o.id', 'ASC')
        .limit(limit)
        .getMany();
      if (rows.length === 0) return rows;

      const { published, errors } = await settle(publish, rows);
      const done = rows.filter((r) => published.has(r.id));
      const failed = rows.filter((r) => !published.has(r.id));
      if (done.length > 0) {
        await manager.query(`UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [
          done.map((r) => r.id),
        ]);
      }
      if (failed.length > 0) {
        const messages = failed.map((r) =>
          (errors[r.id] ?? 'not published').slice(0, MAX_ERROR_LENGTH),
        );
        await manager.query(
          `UPDATE outbox o SET attempts = o.attempts + 1, last_error = e.err
             FROM unnest($1::bigint[], $2::text[]) AS e(id, err)
            WHERE o.id = e.id`,
          [failed.map((r) => r.id), messages],
        );
      }
      return manager
        .createQueryBuilder(OutboxEntity, 'o')
        .where('o.id IN (:...ids)', { ids: rows.map((r) => r.id) })
        .orderBy('o.id', 'ASC')
        .getMany();
    });
  }

  /** Messages not yet published (a health/metrics gauge). */
  backlog(): Promise<number> {
    return this.repo.createQueryBuilder('o').where('o.published_at IS NULL').getCount();
  }
}

async function settle(
  publish: PublishBatch,
  rows: OutboxEntity[],
): Promise<{ published: Set<string>; errors: Record<string, string> }> {
  try {
    const outcome = await publish(rows);
    return { published: new Set(outcome.published.map(String)), errors: outcome.errors ?? {} };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { published: new Set(), errors: Object.fromEntries(rows.map((r) => [r.id, message])) };
  }
}
