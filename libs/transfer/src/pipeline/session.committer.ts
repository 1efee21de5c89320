import type { PoolClient } from 'pg';
import { type DataSource, type QueryRunner } from 'typeorm';

import { type BatchSteps } from './batch.committer';

/** What the import loop needs of a committer, whichever way it writes (docs/API.md §1 import modes). */
export interface Committer<W> {
  submit(work: W): Promise<void>;
  drain(): Promise<void>;
  abandon(): Promise<void>;
}

/**
 * Writes every batch of one delivery in ONE transaction on one connection, held open from the
 * first batch to the last: the write target of `metadata.atomic` (COMMIT after the final batch,
 * so the file's rows appear at once or never) and of `metadata.dry_run` (ROLLBACK after it, so
 * the run sees its own earlier batches, exactly as a real import does, and leaves nothing).
 * A crash, a cancel or a failure before the end rolls the transaction back: PostgreSQL does so by
 * itself when the connection dies (kill -9), `abandon` does it otherwise. The steps' `finish`
 * runs before the end of every batch, `committed` after it (after COMMIT/ROLLBACK for the final
 * one). One batch writes at a time (a session has one connection) while the next one is read.
 */
export class SessionCommitter<W, R> implements Committer<W> {
  private runner: QueryRunner | null = null;
  private client: PoolClient | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly steps: BatchSteps<W, R>,
    private readonly isFinal: (work: W) => boolean,
    /** COMMIT at the end (atomic) or ROLLBACK (dry run). */
    private readonly commitAtEnd: boolean,
  ) {}

  /**
   * Starts writing `work` once the batch before it is written, and returns: the reader parses the
   * next batch while this one writes (one batch in flight, the session's one connection). Throws
   * the failure of the batch before.
   */
  async submit(work: W): Promise<void> {
    await this.settle();
    const run = this.run(work);
    run.catch(() => undefined); // surfaces through settle; never an unhandled rejection
    this.inFlight = run;
    if (this.isFinal(work)) await this.settle();
  }

  /** Waits until the batch in flight is written (and, if final, committed or rolled back). */
  async drain(): Promise<void> {
    await this.settle();
  }

  private async settle(): Promise<void> {
    const run = this.inFlight;
    this.inFlight = null;
    if (run) await run;
  }

  private async run(work: W): Promise<void> {
    const client = await this.open();
    try {
      const written = await this.steps.write(client, work);
      await this.steps.finish(client, work, written);
      if (this.isFinal(work)) {
        await client.query(this.commitAtEnd ? 'COMMIT' : 'ROLLBACK');
        await this.close();
      }
    } catch (err) {
      await this.rollback();
      throw err;
    }
    await this.steps.committed(work);
  }

  /** After a failure elsewhere: lets the batch in flight end, then rolls the session back. */
  async abandon(): Promise<void> {
    await this.settle().catch(() => undefined);
    await this.rollback();
  }

  private async rollback(): Promise<void> {
    if (!this.client) return;
    await this.client.query('ROLLBACK').catch(() => undefined);
    await this.close();
  }

  private async open(): Promise<PoolClient> {
    if (this.client) return this.client;
    this.runner = this.ds.createQueryRunner();
    this.client = (await this.runner.connect()) as PoolClient;
    await this.client.query('BEGIN');
    return this.client;
  }

  private async close(): Promise<void> {
    const runner = this.runner;
    this.runner = null;
    this.client = null;
    await runner?.release();
  }
}
