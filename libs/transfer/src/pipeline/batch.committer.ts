import type { PoolClient } from 'pg';
import { type DataSource } from 'typeorm';

import { withClient } from '@ferry/persistence';

/** The three steps of one batch; the committer decides when each runs and on which connection. */
export interface BatchSteps<W, R> {
  /** Writes the batch's rows in its open transaction (may run while earlier batches write). */
  write(client: PoolClient, work: W): Promise<R>;
  /** Runs once every earlier batch has committed: checkpoint, row errors. COMMIT follows. */
  finish(client: PoolClient, work: W, written: R): Promise<void>;
  /** After COMMIT, in batch order (status news). */
  committed(work: W): Promise<void>;
}

type Outcome = 'committed' | 'redo';

interface Job<W> {
  work: W;
  done: Promise<Outcome>;
}

/** Lock waits that can mean two batches in flight wait on each other. */
function isLockConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '55P03' || code === '40P01'; // lock_not_available, deadlock_detected
}

/**
 * Commits batches in order, each in its own transaction, with up to `writers` of them writing at
 * once on separate connections: COPY is CPU-bound in PostgreSQL, so two writers use both cores.
 * A batch writes as soon as a connection is free but commits (checkpoint and all) only after the
 * batch before it did, so the checkpoint still says "everything before record N is in".
 *
 * Two batches in flight may want the same key (a repeated event id): the later one waits on the
 * earlier one's uncommitted row, which is harmless, but the earlier one waiting on the later one
 * would wait forever (the later one only commits after it). So parallel writes run with a lock
 * timeout; a batch that hits it, and every batch after it, rolls back and is written again one at
 * a time, and the task stays on one writer from then on (a file with repeats tends to have many).
 */
export class BatchCommitter<W, R> {
  private readonly inFlight: Job<W>[] = [];
  private last: Promise<Outcome> = Promise.resolve('committed');
  /** True until a lock conflict sent the task to one writer. */
  private parallel: boolean;

  constructor(
    private readonly ds: DataSource,
    private readonly steps: BatchSteps<W, R>,
    private readonly writers: number,
    private readonly lockTimeoutMs = 1000,
  ) {
    this.parallel = writers > 1;
  }

  /**
   * Starts writing `work`, first waiting while all writers are busy (backpressure on the reader).
   * Throws the error of an earlier batch that failed.
   */
  async submit(work: W): Promise<void> {
    while (this.inFlight.length >= (this.parallel ? this.writers : 1)) await this.settleOldest();
    this.start(work);
  }

  /** Waits until every submitted batch has committed; throws the first failure. */
  async drain(): Promise<void> {
    while (this.inFlight.length > 0) await this.settleOldest();
  }

  /** After a failure elsewhere: lets batches in flight end (commit or roll back), ignoring errors. */
  async abandon(): Promise<void> {
    const jobs = this.inFlight.splice(0);
    await Promise.allSettled(jobs.map((j) => j.done));
  }

  private start(work: W): void {
    const done = this.run(work, this.last, this.parallel);
    done.catch(() => undefined); // surfaces through settleOldest; never an unhandled rejection
    this.last = done;
    this.inFlight.push({ work, done });
  }

  private async settleOldest(): Promise<void> {
    const outcome = await this.inFlight[0].done.catch(async (err: unknown) => {
      await this.abandon();
      throw err;
    });
    if (outcome === 'committed') {
      this.inFlight.shift();
      return;
    }
    // Every later batch waits on this one, so they all come back 'redo': let them roll back
    // first, then write them again one by one, nothing else in flight.
    const redo = this.inFlight.splice(0);
    await Promise.allSettled(redo.map((j) => j.done));
    this.parallel = false;
    this.last = Promise.resolve('committed');
    for (const { work } of redo) {
      const again = this.run(work, this.last, false);
      this.last = again;
      await again;
    }
  }

  private run(work: W, previous: Promise<Outcome>, parallel: boolean): Promise<Outcome> {
    return withClient(this.ds, async (client) => {
      await client.query('BEGIN');
      try {
        if (parallel) await client.query(`SET LOCAL lock_timeout = ${this.lockTimeoutMs}`);
        let written: R | undefined;
        let conflict = false;
        try {
          written = await this.steps.write(client, work);
        } catch (err) {
          if (!parallel || !isLockConflict(err)) throw err;
          conflict = true;
        }
        const before = await previous;
        if (conflict || before === 'redo') {
          await client.query('ROLLBACK');
          return 'redo';
        }
        await this.steps.finish(client, work, written as R);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      await this.steps.committed(work);
      return 'committed';
    });
  }
}
