import { Logger } from '@nestjs/common';

import type { PoolClient } from 'pg';
import { type DataSource } from 'typeorm';

import {
  isRetryable,
  type RowError,
  type RowWarning,
  type TaskCreatedEvent,
} from '@ferry/contracts';
import {
  type Checkpoint,
  type CheckpointAdvance,
  type CheckpointRepository,
  type ImportFigures,
  type ImportPartRepository,
  type TaskRowErrorRepository,
  type TaskRowWarningRepository,
  type TaskStateRepository,
  withClient,
} from '@ferry/persistence';
import { metrics, withSpan } from '@ferry/telemetry';

import type { BatchWriteResult, EntityImportDefinition, ImportScope } from '../entity-definition';
import { BatchCommitter } from './batch.committer';
import type { RecordMapping, SourceRecord } from './record-mapping';
import type { RowErrorBudget } from './row-error.budget';
import { type Committer, SessionCommitter } from './session.committer';
import type { StatusPublisher } from './status.publisher';
import { news, sampleErrors } from './status-news';

/**
 * Where a delivery's batches go (docs/API.md §1, `dry_run` and `atomic`):
 * - `real`: each batch commits with its checkpoint (docs/ARCHITECTURE.md invariant 2);
 * - `atomic`: every batch in one transaction, committed with the final checkpoint at the end;
 * - `dry`: the same one transaction, rolled back at the end; only the counters, the row errors
 *   and the final checkpoint are kept. An entity with a dry writer (events) instead commits per
 *   batch like `real`, its writes going to a table of the run, not to the entity's.
 * In a session the checkpoint does not move until the end, so a delivery that dies half way
 * leaves nothing and the next one reads the file again from its start.
 */
export type WriteMode = 'real' | 'atomic' | 'dry';

/** How an import cuts its records into committed batches. */
export interface BatchSettings {
  /** Records per committed batch (one COPY + checkpoint per batch). */
  batchSize: number;
  /** A batch is also committed when this long has passed since the last commit (live counters). */
  progressIntervalMs: number;
  /**
   * A batch is also committed once its records' cells hold this many characters: memory holds
   * `writers + 1` batches, so this bounds it whatever the rows' size (default 8 Mi).
   */
  batchChars?: number;
  /** Connections writing batches at once, for entity types whose writes allow it (events). */
  writers?: number;
}

/** Where the loop's batches go: the database (rows, checkpoint, row errors) and the news. */
export interface BatchLoopStores {
  ds: DataSource;
  status: StatusPublisher;
  tasks: TaskStateRepository;
  checkpoints: CheckpointRepository;
  rowErrors: TaskRowErrorRepository;
  warnings: TaskRowWarningRepository;
}

/** One delivery's import, once its file is open and its records map. */
export interface BatchLoopJob {
  task: TaskCreatedEvent;
  scope: ImportScope;
  definition: EntityImportDefinition<unknown>;
  mapping: RecordMapping;
  budget: RowErrorBudget;
  settings: BatchSettings;
  /** Default `real`. */
  mode?: WriteMode;
  /**
   * Set when the loop reads one part of a split import (docs/DECISIONS.md 128): each batch also
   * adds to the task's sums on part 0, whose seq and counters the news carry.
   */
  split?: { parts: ImportPartRepository; plannedRecords: number; count: number };
}

const DEFAULT_BATCH_CHARS = 8 * 1024 * 1024;
/**
 * A dry run's batches hold this many times the import's records (docs/DECISIONS.md 117): its
 * writes are keys into a table of its own, so what bounds it is the chain of per-batch commits
 * (checkpoint, row errors, COMMIT, news, one batch after the other), not the writing.
 */
const DRY_BATCH_FACTOR = 10;

/**
 * The batch loop of one import delivery: maps the file's records, cuts them into batches and hands
 * each to a `BatchCommitter`, whose steps (`write`, `finish`, `committed`) write the rows, then in
 * the same transaction the row errors, the file's columns and the checkpoint (docs/ARCHITECTURE.md
 * invariant 2), then announce the commit. Records an earlier delivery committed are skipped. The
 * loop's state (the checkpoint, the batch being filled, the rejected count) lives in this object,
 * one per delivery, because the committer's steps move it as batches commit.
 */
export class ImportBatchLoop {
  private readonly logger = new Logger(ImportBatchLoop.name);
  private readonly committer: Committer<PendingBatch>;
  private readonly mode: WriteMode;
  /** True when every batch goes into one transaction (SessionCommitter). */
  private readonly session: boolean;
  private readonly start: Checkpoint;
  private cp: Checkpoint;
  private batch = newBatch();
  /** Data records read in this delivery, including skipped ones. */
  private seen = 0;
  /** Text of the records in `batch`, so a file of huge rows still makes small batches. */
  private chars = 0;
  private lastCommit = Date.now();
  /** A lower bound of `cp.failed`, known before the commit. */
  private rejected: number;
  private overBudget = false;
  /** Warned rows and the rows' outcome so far, as the last committed batch counted them. */
  private figures: ImportFigures | null = null;
  /** Existing rows the task changed, known at its final batch (upserting entity types). */
  private changed: number | null = null;
  /** A split import's task-wide sums after the last committed batch (part 0's checkpoint). */
  private sums: Checkpoint | null = null;
  /**
   * A resumed dry run whose table was gone (dropped when the task ended, before a retry): the
   * records an earlier delivery counted are written into it again, uncounted, so the rest of the
   * file meets their keys as the first delivery's batches did (docs/DECISIONS.md 114).
   */
  private refill: unknown[] | null = null;

  constructor(
    private readonly stores: BatchLoopStores,
    private readonly job: BatchLoopJob,
    start: Checkpoint,
  ) {
    this.start = start;
    this.cp = start;
    this.rejected = start.failed;
    this.mode = job.mode ?? 'real';
    const steps = {
      write: (client: PoolClient, b: PendingBatch) => this.write(client, b),
      finish: (client: PoolClient, b: PendingBatch, written: BatchWriteResult) =>
        this.session ? this.finishInSession(client, b, written) : this.finish(client, b, written),
      committed: (b: PendingBatch) => this.committed(b),
    };
    // A dry run whose entity has a dry writer (events) commits per batch like a real import: its
    // "rows" are ids in a table of the task (dropped at the end), not a long transaction, which
    // would pile up one subtransaction per batch (the writer's savepoints) past PostgreSQL's 64
    // and slow every snapshot (measured: 2× slower than the import at 1M rows).
    this.session = this.mode === 'atomic' || (this.mode === 'dry' && !job.definition.dryWriteBatch);
    if (!this.session) {
      // A dry run with its own writer uses the import's writers too (docs/DECISIONS.md 110): its
      // table is made once before the first batch (`dryPrepare`).
      const parallel =
        job.definition.parallelWrites && (this.mode === 'real' || this.mode === 'dry');
      const writers = parallel ? (job.settings.writers ?? 1) : 1;
      this.committer = new BatchCommitter<PendingBatch, BatchWriteResult>(
        stores.ds,
        steps,
        writers,
      );
    } else {
      this.committer = new SessionCommitter<PendingBatch, BatchWriteResult>(
        stores.ds,
        steps,
        (b) => b.final,
        this.mode === 'atomic',
      );
    }
  }

  /** Reads `pending`, then every batch of records, to the end; returns the final checkpoint. */
  async run(
    pending: readonly SourceRecord[],
    batches: AsyncIterable<SourceRecord[]>,
  ): Promise<Checkpoint> {
    try {
      // The reader's batches (one per ~64 KB of text) are walked synchronously: no promise per
      // record. Submitting waits while every writer is busy: memory holds writers + 1 batches.
      const head = this.job.mapping.headerWarning;
      if (head && this.start.nextRecord === 0) this.batch.warnings.push(head);
      const prepare =
        this.mode === 'dry' && !this.session ? this.job.definition.dryPrepare : undefined;
      if (prepare) {
        const made = await withClient(this.stores.ds, (c) => prepare(c, this.job.scope));
        if (made === true && this.start.nextRecord > 0) this.refill = [];
      }
      for (const rec of pending) await this.next(rec);
      for await (const recs of batches) {
        for (const rec of recs) await this.next(rec);
      }
      await this.submit(true);
      await this.committer.drain();
    } catch (err) {
      // Reading failed (abort, broken download) while batches may still be committing: let them
      // land first, or one would commit after this delivery gave the task up and fence the next.
      await this.committer.abandon();
      // A dry run that can never succeed leaves no table behind (a retryable one resumes with it).
      if (this.mode === 'dry' && !isRetryable(err)) await this.dropDryTable();
      throw err;
    }
    const cp = this.cp;
    this.logger.log(
      `task ${this.job.task.task_id}: ${cp.processed} records, ${cp.successful} ok, ${cp.failed} rejected, ${cp.duplicates} duplicates`,
    );
    return cp;
  }

  private async next(rec: SourceRecord): Promise<void> {
    if (this.add(rec)) await this.submit(false);
    else if (this.refill && this.refill.length >= this.job.settings.batchSize)
      await this.refilled();
  }

  /** Writes the refill's records into a resumed dry run's table, counting nothing. */
  private async refilled(): Promise<void> {
    const records = this.refill ?? [];
    const dry = this.job.definition.dryWriteBatch;
    if (records.length === 0 || !dry) return;
    this.refill = [];
    const scope = this.job.scope;
    await withClient(this.stores.ds, async (c) => {
      await c.query('BEGIN');
      try {
        await dry(c, records, scope);
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK');
        throw err;
      }
    });
  }

  /** Adds one record to the batch; true when the batch should be committed now. */
  private add(rec: SourceRecord): boolean {
    if (this.seen++ < this.start.nextRecord) {
      // Committed by an earlier delivery (a resumed dry run without its table: written again).
      if (this.refill) {
        const mapped = this.job.mapping.map(rec);
        if (!isRowError(mapped)) this.refill.push(mapped);
      }
      return false;
    }
    const { mapping, budget, settings: s } = this.job;
    const mapped = mapping.map(rec);
    if (isRowError(mapped)) {
      this.batch.errors.push(mapped);
      if (budget.exceededBy(++this.rejected, this.seen)) this.overBudget = true;
    } else this.batch.records.push(mapped);
    if (mapping.warning !== null) this.batch.warnings.push(mapping.warning);
    for (const v of rec.values) this.chars += v.length;
    const size = this.batch.records.length + this.batch.errors.length;
    return (
      this.overBudget ||
      size >= s.batchSize * (this.mode === 'dry' ? DRY_BATCH_FACTOR : 1) ||
      this.chars >= (s.batchChars ?? DEFAULT_BATCH_CHARS) ||
      ((this.seen & 255) === 0 && Date.now() - this.lastCommit >= s.progressIntervalMs && size > 0)
    );
  }

  private async submit(final: boolean): Promise<void> {
    if (this.refill) {
      await this.refilled(); // before any batch of this delivery writes
      this.refill = null;
    }
    const full = this.batch;
    full.final = final;
    this.batch = newBatch();
    this.chars = 0;
    this.lastCommit = Date.now();
    await this.committer.submit(full);
    if (this.overBudget) await this.committer.drain(); // commits what was read, then the check fails it
  }

  /** In the batch's transaction, possibly while earlier batches still write. */
  private async write(client: PoolClient, b: PendingBatch): Promise<BatchWriteResult> {
    const { task, definition, scope } = this.job;
    b.timer = metrics.batchWrite.startTimer({ entity_type: task.entity_type });
    const tasks = this.stores.tasks;
    // No lock on the task row while the batch writes (a cancel would wait on it): a batch of its
    // own takes it in `finish`, between its checkpoint and COMMIT; a session (atomic, dry run)
    // checks on a connection of its own, and under the lock only just before its COMMIT.
    if (!this.session) await tasks.assertStillRunning(client, task.task_id, task.attempt, false);
    else
      await withClient(this.stores.ds, (c) =>
        tasks.assertStillRunning(c, task.task_id, task.attempt, false),
      );
    const dry = this.mode === 'dry' && definition.dryWriteBatch;
    return withSpan(
      dry ? 'dry-run batch' : 'import batch',
      { 'ferry.task_id': task.task_id, 'ferry.records': b.records.length + b.errors.length },
      () => (dry ? dry(client, b.records, scope) : definition.writeBatch(client, b.records, scope)),
    );
  }

  /**
   * `finish` of a session (atomic, dry run): the row errors are stored at once on their own
   * connection (the same rows each time the file is read again: stored once), the counters move in
   * memory, and the budget is checked before the end, so an atomic import over its budget commits
   * nothing. The final batch of an atomic import commits its checkpoint in the session.
   */
  private async finishInSession(client: PoolClient, b: PendingBatch, written: BatchWriteResult) {
    const { task, mapping, budget } = this.job;
    const { checkpoints, rowErrors, warnings, ds } = this.stores;
    const errors = written.rowErrors.length ? inRowOrder(b.errors, written.rowErrors) : b.errors;
    const part = this.cp.part;
    await withClient(ds, (c) => rowErrors.insert(c, task.task_id, part, errors));
    // Warnings and outcome figures are kept as they come, like row errors (a session read again
    // from its start after a crash may count its outcome figures twice: a known gap).
    const outcome = written.outcome ?? {
      created: written.written,
      updated: 0,
      unchanged: written.duplicates,
    };
    b.figures = await withClient(ds, (c) =>
      warnings.record(c, task.task_id, part, b.warnings, outcome),
    );
    const step = this.advanceOf(b, written, errors);
    const cp = this.cp;
    this.cp = {
      ...cp,
      nextRecord: cp.nextRecord + step.records,
      processed: cp.processed + step.records,
      successful: cp.successful + step.successful,
      failed: cp.failed + step.failed,
      duplicates: cp.duplicates + step.duplicates,
      errorSamples: step.errorSamples,
      totalRecords: step.totalRecords,
    };
    b.outcome = { ok: written.written, rejected: errors.length, duplicate: written.duplicates };
    budget.check(this.cp.failed, this.cp.processed);
    if (b.final) await this.countChanged(client);
    if (b.final && this.mode === 'atomic') {
      await this.stores.tasks.assertStillRunning(client, task.task_id, task.attempt);
      await mapping.saveColumns((columns) =>
        checkpoints.saveColumns(client, task.task_id, cp.part, columns),
      );
      this.cp = await checkpoints.advance(client, this.stored(), this.totals());
    }
  }

  /**
   * `metadata.changed` of an upserting entity type: the existing rows the task changed, counted
   * by their before-images as the final batch's transaction sees them (a dry run's own too).
   */
  private async countChanged(client: PoolClient): Promise<void> {
    const { task, definition } = this.job;
    if (!definition.keepsBeforeImages) return;
    const { rows } = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM import_before_images WHERE task_id = $1 AND entity_type = $2',
      [task.task_id, task.entity_type],
    );
    this.changed = Number(rows[0].n);
  }

  /** A committed dry run's own table (docs/API.md §5), once the run is over. */
  private async dropDryTable(): Promise<void> {
    const { definition, scope } = this.job;
    const drop = definition.dryFinish;
    if (!drop || this.session) return;
    await withClient(this.stores.ds, (c) => drop(c, scope)).catch((err: unknown) =>
      this.logger.warn(`dry run table of ${scope.taskId} not dropped: ${String(err)}`),
    );
  }

  /** The checkpoint as stored: the session's counters are not in it until the end. */
  private stored(): Checkpoint {
    return { ...this.start, seq: this.cp.seq };
  }

  /** The whole run as one advance of the stored checkpoint. */
  private totals(): CheckpointAdvance {
    const cp = this.cp;
    return {
      records: cp.nextRecord - this.start.nextRecord,
      successful: cp.successful - this.start.successful,
      failed: cp.failed - this.start.failed,
      duplicates: cp.duplicates - this.start.duplicates,
      errorSamples: cp.errorSamples,
      totalRecords: cp.totalRecords,
    };
  }

  private advanceOf(
    b: PendingBatch,
    written: BatchWriteResult,
    errors: RowError[],
  ): CheckpointAdvance {
    const cp = this.cp;
    const count = b.records.length + b.errors.length;
    return {
      records: count,
      successful: written.written + written.duplicates,
      failed: errors.length,
      duplicates: written.duplicates,
      errorSamples: sampleErrors(cp.errorSamples, errors),
      totalRecords: b.final ? cp.nextRecord + count : null,
    };
  }

  /** In the same transaction, once every earlier batch has committed: what makes it count. */
  private async finish(client: PoolClient, b: PendingBatch, written: BatchWriteResult) {
    const { task, mapping } = this.job;
    const { checkpoints, rowErrors, warnings, tasks } = this.stores;
    // Under the row lock, only now: a cancel waits for at most this step (docs/API.md §3).
    await tasks.assertStillRunning(client, task.task_id, task.attempt);
    const cp = this.cp;
    const errors = written.rowErrors.length ? inRowOrder(b.errors, written.rowErrors) : b.errors;
    await rowErrors.insert(client, task.task_id, cp.part, errors);
    const outcome = written.outcome ?? {
      created: written.written,
      updated: 0,
      unchanged: written.duplicates,
    };
    b.figures = await warnings.record(client, task.task_id, cp.part, b.warnings, outcome);
    await mapping.saveColumns((columns) =>
      checkpoints.saveColumns(client, task.task_id, cp.part, columns),
    );
    const advance = this.advanceOf(b, written, errors);
    this.cp = await checkpoints.advance(client, cp, advance);
    const split = this.job.split;
    if (split) {
      // Under part 0's row lock until COMMIT: the sums move in commit order (docs/DECISIONS.md 128).
      // Other parts hold it only for their COMMIT: wait for it whatever the writers' lock timeout.
      await client.query('SET LOCAL lock_timeout = 0');
      const sums = await split.parts.addToSums(client, task.task_id, {
        ...advance,
        errorSamples: sampleErrors([], errors),
        figures: { warnings: b.warnings.length, ...outcome },
      });
      this.sums = sums;
      b.figures = sums.figures;
    }
    if (b.final) await this.countChanged(client);
    b.outcome = { ok: written.written, rejected: errors.length, duplicate: written.duplicates };
  }

  /** After COMMIT, in batch order: metrics, the row-error budget, and the news. */
  private async committed(b: PendingBatch): Promise<void> {
    const { task, mapping, budget } = this.job;
    b.timer();
    for (const [name, n] of Object.entries(b.outcome)) {
      if (n > 0) metrics.rows.inc({ entity_type: task.entity_type, outcome: name }, n);
    }
    const shown = this.sums ?? this.cp;
    budget.check(shown.failed, shown.processed);
    this.figures = b.figures ?? this.figures;
    const metadata: Record<string, unknown> = {
      ignored_columns: mapping.ignoredColumns,
      ...this.figures,
    };
    if (this.changed !== null) metadata['changed'] = this.changed;
    if (this.mode === 'dry') metadata['dry_run'] = true;
    if (b.final && this.mode === 'dry') await this.dropDryTable();
    if (this.session) await this.settleSession(b);
    const status = this.stores.status;
    const split = this.job.split;
    if (split && this.sums) {
      // A part's news is the task's: the sums, and the scan's count as the total until the end.
      const sums = this.sums;
      metadata['parts'] = split.count;
      if (sums.totalRecords !== null) {
        await status.publish(task.task_id, news('completed', sums, metadata));
      } else {
        const early = { ...sums, totalRecords: split.plannedRecords };
        await status.publishProgress(task.task_id, news('progress', early, metadata));
      }
      return;
    }
    if (b.final) await status.publish(task.task_id, news('completed', this.cp, metadata));
    else await status.publishProgress(task.task_id, news('progress', this.cp, metadata));
  }

  /**
   * After a session's batch: the news needs a sequence number of the stored checkpoint (taken on
   * a connection of its own, fenced like any other), and a dry run's final batch, rolled back,
   * stores its counters and columns now. The counters of the news are the session's.
   */
  private async settleSession(b: PendingBatch): Promise<void> {
    const { task, mapping } = this.job;
    const { checkpoints, ds } = this.stores;
    if (b.final && this.mode === 'atomic') return; // committed with the rows
    if (b.final) {
      const part = this.cp.part;
      this.cp = await withClient(ds, async (c) => {
        await mapping.saveColumns((columns) =>
          checkpoints.saveColumns(c, task.task_id, part, columns),
        );
        return checkpoints.advance(c, this.stored(), this.totals());
      });
      return;
    }
    const seq = (await withClient(ds, (c) => checkpoints.bumpSeq(c, this.stored()))).seq;
    this.cp = { ...this.cp, seq };
  }
}

/** A batch on its way through the committer. */
interface PendingBatch {
  records: unknown[];
  errors: RowError[];
  /** Rows read with a leniency (docs/FORMATS.md §1), stored apart from the rejected ones. */
  warnings: RowWarning[];
  /** The task's warned rows and outcome once this batch is in. */
  figures: ImportFigures | null;
  final: boolean;
  outcome: { ok: number; rejected: number; duplicate: number };
  /** Ends the batch-write latency timer (started when the batch starts writing). */
  timer: () => void;
}

function newBatch(): PendingBatch {
  return {
    records: [],
    errors: [],
    warnings: [],
    figures: null,
    final: false,
    outcome: { ok: 0, rejected: 0, duplicate: 0 },
    timer: () => undefined,
  };
}

/**
 * The mapper's row errors and the ones the database stage found, merged by line, so
 * `error_summary` lists a batch's rejected rows in file order (both lists are in file order).
 */
function inRowOrder(mapped: RowError[], refused: RowError[]): RowError[] {
  const out: RowError[] = [];
  let i = 0;
  let j = 0;
  const sorted = refused.slice().sort((a, b) => a.row_number - b.row_number);
  while (i < mapped.length || j < sorted.length) {
    if (j >= sorted.length || (i < mapped.length && mapped[i].row_number <= sorted[j].row_number))
      out.push(mapped[i++]);
    else out.push(sorted[j++]);
  }
  return out;
}

export function isRowError(value: unknown): value is RowError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as RowError).row_number === 'number' &&
    typeof (value as RowError).code === 'string' &&
    typeof (value as RowError).raw === 'object'
  );
}
