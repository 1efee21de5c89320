import { Logger } from '@nestjs/common';

import type { PoolClient } from 'pg';
import { type DataSource } from 'typeorm';

import { type RowError, type RowWarning, type TaskCreatedEvent } from '@ferry/contracts';
import {
  type Checkpoint,
  type CheckpointRepository,
  type ImportFigures,
  type TaskRowErrorRepository,
  type TaskRowWarningRepository,
  type TaskStateRepository,
} from '@ferry/persistence';
import { metrics, withSpan } from '@ferry/telemetry';

import type { BatchWriteResult, EntityImportDefinition, ImportScope } from '../entity-definition';
import { BatchCommitter } from './batch.committer';
import type { RecordMapping, SourceRecord } from './record-mapping';
import type { RowErrorBudget } from './row-error.budget';
import type { StatusPublisher } from './status.publisher';
import { news, sampleErrors } from './status-news';

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
}

const DEFAULT_BATCH_CHARS = 8 * 1024 * 1024;

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
  private readonly committer: BatchCommitter<PendingBatch, BatchWriteResult>;
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

  constructor(
    private readonly stores: BatchLoopStores,
    private readonly job: BatchLoopJob,
    start: Checkpoint,
  ) {
    this.start = start;
    this.cp = start;
    this.rejected = start.failed;
    const writers = job.definition.parallelWrites ? (job.settings.writers ?? 1) : 1;
    this.committer = new BatchCommitter<PendingBatch, BatchWriteResult>(
      stores.ds,
      {
        write: (client, b) => this.write(client, b),
        finish: (client, b, written) => this.finish(client, b, written),
        committed: (b) => this.committed(b),
      },
      writers,
    );
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
      for (const rec of pending) if (this.add(rec)) await this.submit(false);
      for await (const recs of batches) {
        for (const rec of recs) if (this.add(rec)) await this.submit(false);
      }
      await this.submit(true);
      await this.committer.drain();
    } catch (err) {
      // Reading failed (abort, broken download) while batches may still be committing: let them
      // land first, or one would commit after this delivery gave the task up and fence the next.
      await this.committer.abandon();
      throw err;
    }
    const cp = this.cp;
    this.logger.log(
      `task ${this.job.task.task_id}: ${cp.processed} records, ${cp.successful} ok, ${cp.failed} rejected, ${cp.duplicates} duplicates`,
    );
    return cp;
  }

  /** Adds one record to the batch; true when the batch should be committed now. */
  private add(rec: SourceRecord): boolean {
    if (this.seen++ < this.start.nextRecord) return false; // committed by an earlier delivery
    const { mapping, budget, settings: s } = this.job;
    const mapped = mapping.map(rec);
    if (isRowError(mapped)) {
      this.batch.errors.push(mapped);
      if (budget.exceededBy(++this.rejected)) this.overBudget = true;
    } else this.batch.records.push(mapped);
    if (mapping.warning !== null) this.batch.warnings.push(mapping.warning);
    for (const v of rec.values) this.chars += v.length;
    const size = this.batch.records.length + this.batch.errors.length;
    return (
      this.overBudget ||
      size >= s.batchSize ||
      this.chars >= (s.batchChars ?? DEFAULT_BATCH_CHARS) ||
      ((this.seen & 255) === 0 && Date.now() - this.lastCommit >= s.progressIntervalMs && size > 0)
    );
  }

  private async submit(final: boolean): Promise<void> {
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
    await this.stores.tasks.assertStillRunning(client, task.task_id, task.attempt, false);
    return withSpan(
      'import batch',
      { 'ferry.task_id': task.task_id, 'ferry.records': b.records.length + b.errors.length },
      () => definition.writeBatch(client, b.records, scope),
    );
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
    const count = b.records.length + b.errors.length;
    this.cp = await checkpoints.advance(client, cp, {
      records: count,
      successful: written.written + written.duplicates,
      failed: errors.length,
      duplicates: written.duplicates,
      errorSamples: sampleErrors(cp.errorSamples, errors),
      totalRecords: b.final ? cp.nextRecord + count : null,
    });
    b.outcome = { ok: written.written, rejected: errors.length, duplicate: written.duplicates };
  }

  /** After COMMIT, in batch order: metrics, the row-error budget, and the news. */
  private async committed(b: PendingBatch): Promise<void> {
    const { task, mapping, budget } = this.job;
    b.timer();
    for (const [name, n] of Object.entries(b.outcome)) {
      if (n > 0) metrics.rows.inc({ entity_type: task.entity_type, outcome: name }, n);
    }
    budget.check(this.cp.failed);
    this.figures = b.figures ?? this.figures;
    const metadata = { ignored_columns: mapping.ignoredColumns, ...this.figures };
    const status = this.stores.status;
    if (b.final) await status.publish(task.task_id, news('completed', this.cp, metadata));
    else await status.publishProgress(task.task_id, news('progress', this.cp, metadata));
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
