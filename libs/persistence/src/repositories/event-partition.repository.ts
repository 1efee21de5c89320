import { type DataSource } from 'typeorm';

/**
 * The monthly partitions of `events` (migration 1795900003000). `ensureAhead` makes the months
 * from the current one to `months` ahead that are missing (each partition made before its first
 * row, so inserts never land in `events_default`); `list` names them, oldest first. An old month
 * is detached for retention with `ALTER TABLE events DETACH PARTITION events_pYYYY_MM
 * CONCURRENTLY` (docs/CAPACITY.md), which no code does on its own.
 */
export class EventPartitionRepository {
  constructor(private readonly ds: DataSource) {}

  async ensureAhead(months: number): Promise<number> {
    const [row] = (await this.ds.query(
      `SELECT ferry_events_ensure_partitions(now(), now() + make_interval(months => $1)) AS made`,
      [months],
    )) as Array<{ made: number }>;
    return row?.made ?? 0;
  }

  async list(): Promise<string[]> {
    const rows = (await this.ds.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'events'::regclass ORDER BY c.relname`,
    )) as Array<{ name: string }>;
    return rows.map((r) => r.name);
  }
}
