import { Logger } from '@nestjs/common';

import { type DataSource } from 'typeorm';

import {
  type EntityType,
  FerryError,
  type RowError,
  type StatusKind,
  summarizeRowErrors,
  type TaskCounters,
  type TaskCreatedEvent,
  TaskStatus,
} from '@ferry/contracts';
import { type ObjectStorages } from '@ferry/files';
import { withClient } from '@ferry/persistence';
import { metrics, withSpan } from '@ferry/telemetry';

import type { BatchWriteResult, EntityImportDefinition, ImportScope } from '../entity-definition';
import { BatchCommitter } from './batch.committer';
import { assertStillRunning, CancelWatch, TaskCancelledError } from './cancel.watch';
import { type Checkpoint, CheckpointFencedError, CheckpointStore } from './checkpoint.store';
import { openImportSource, type SourceSettings } from './import-source';
import {
  readRecordBatches,
  type RecordLimits,
  RecordMapping,
  type SourceRecord,
} from './record-mapping';
import { RowErrorBudget } from './row-error.budget';
import { type StatusNews, type StatusPublisher } from './status.publisher';
import { TaskFailer } from './task.failer';

export interface ImportSettings extends SourceSettings {
  /** Records per committed batch (one COPY + checkpoint per batch). */
  batchSize: number;
  /** A batch is also committed when this long has passed since the last commit (live counters). */
  progressIntervalMs: number;
  /** Limits of one record (row size, columns, cell size, JSON depth). */
  records?: RecordLimits;
  /** Rejected rows a task may have when its metadata sets no max_errors (default 10,000). */
  maxRowErrors?: number;
  /**
   * A batch is also committed once its records' cells hold this many characters: memory holds
   * `writers + 1` batches, so this bounds it whatever the rows' size (default 8 Mi).
   */
  batchChars?: number;
  /** Connections writing batches at once, for entity types whose writes allow it (events). */
  writers?: number;
  /** How often a running delivery checks whether its task was cancelled or retried (default 1 s). */
  cancelCheckMs?: number;
}

export interface RunControl {
  /** Aborted when the worker shuts down: stop reading, leave the checkpoint, let it redeliver. */
  signal: AbortSignal;
}

const SUMMARY_SAMPLES = 10;
const DEFAULT_BATCH_CHARS = 8 * 1024 * 1024;

/**
 * Runs one import task: stream the file, map each record, write batches, and commit each batch
 * together with its checkpoint and row errors in one transaction (exactly-once effect on
 * at-least-once delivery). A redelivery resumes after the last committed record.
 */
export class ImportRunner {
  private readonly logger = new Logger(ImportRunner.name);
  private readonly checkpoints = new CheckpointStore();
  private readonly failer: TaskFailer;

  constructor(
    private readonly ds: DataSource,
    private readonly status: StatusPublisher,
    private readonly definitions: ReadonlyMap<EntityType, EntityImportDefinition<unknown>>,
    private readonly settings: ImportSettings,
    /** Backends of `store://` and `s3://` sources; without them only http(s) sources work. */
    private readonly storages?: ObjectStorages,
  ) {
    this.failer = new TaskFailer(ds, status);
  }

  async run(task: TaskCreatedEvent, control: RunControl): Promise<void> {
    const current = await this.readTask(task.task_id);
    if (!current) {
      this.logger.warn(`task ${task.task_id} no longer exists; message dropped`);
      return;
    }
    if (current.task_status === TaskStatus.COMPLETED || current.task_status === TaskStatus.FAILED) {
      return; // finished, or cancelled before this delivery: nothing to do
    }
    if (task.attempt < current.attempt) return; // a message of an earlier attempt

    const cp = await withClient(this.ds, (c) =>
      this.checkpoints.open(c, task.task_id, task.attempt),
    );
    const watch = new CancelWatch(
      this.ds,
      task.task_id,
      task.attempt,
      control.signal,
      this.settings.cancelCheckMs ?? 1000,
    );
    try {
      if (cp.totalRecords !== null) {
        // Committed to the end by an earlier delivery that died before announcing it, or whose
        // `completed` was lost: announce it again under a new seq, so that the projection applies
        // it even if it saw the earlier one (a sweeper re-drive, a retry after a late cancel).
        const again = await withClient(this.ds, (c) => this.checkpoints.bumpSeq(c, cp));
        await this.status.publish(task.task_id, news('completed', again));
        return;
      }
      await this.importFile(task, cp, { signal: watch.signal });
    } catch (err) {
      if (err instanceof TaskCancelledError || watch.cancelled) {
        this.logger.log(
          err instanceof TaskCancelledError
            ? err.message
            : `task ${task.task_id} was cancelled or retried: this delivery stops`,
        );
        return;
      }
      if (err instanceof CheckpointFencedError) {
        this.logger.warn(err.message);
        return;
      }
      if (err instanceof FerryError && !err.retryable) {
        await this.fail(task.task_id, err.message);
        return;
      }
      throw err; // transient: nak, and the next delivery resumes from the checkpoint
    } finally {
      watch.stop();
    }
  }

  /** Ends a task as FAILED with a sentence saying why (also used when deliveries run out). */
  fail(taskId: string, reason: string): Promise<void> {
    return this.failer.fail(taskId, reason);
  }

  private async importFile(
    task: TaskCreatedEvent,
    start: Checkpoint,
    control: RunControl,
  ): Promise<Checkpoint> {
    const definition = this.definitions.get(task.entity_type);
    if (!definition) {
      throw FerryError.validation(
        `Importing ${task.entity_type} is not available in this version of Ferry`,
      );
    }
    const scope: ImportScope = {
      tenantId: task.tenant_id,
      environmentId: task.environment_id,
      taskId: task.task_id,
      importTime: new Date(),
    };
    const source = await openImportSource(
      task.file_url,
      task.environment_id,
      control.signal,
      this.settings,
      this.storages,
    );
    let batches: AsyncGenerator<SourceRecord[]> | null = null;
    try {
      // A delivery fenced here has an open response nobody reads: only destroying it frees the
      // socket (and the abort listener the request keeps on the signal).
      const cp = await withClient(this.ds, (c) => this.checkpoints.bumpSeq(c, start));
      await this.status.publishProgress(task.task_id, {
        kind: 'started',
        seq: cp.seq,
        counters: counters(cp),
      });
      batches = readRecordBatches(source, task.file_type, control.signal, this.settings.records);
      return await this.consume(task, scope, definition, batches, cp);
    } finally {
      await batches?.return(undefined);
      source.destroy();
    }
  }

  private async consume(
    task: TaskCreatedEvent,
    scope: ImportScope,
    definition: EntityImportDefinition<unknown>,
    batches: AsyncGenerator<SourceRecord[]>,
    startCp: Checkpoint,
  ): Promise<Checkpoint> {
    const saved =
      startCp.nextRecord > 0
        ? await withClient(this.ds, (c) =>
            RecordMapping.savedColumns(c, task.task_id, startCp.part),
          )
        : [];
    const { mapping, pending } = await RecordMapping.open(
      definition,
      scope,
      task.file_type,
      batches,
      saved,
    );
    const budget = RowErrorBudget.forTask(task.metadata, this.settings.maxRowErrors ?? 10_000);
    let rejected = startCp.failed; // a lower bound of cp.failed, known before the commit
    let overBudget = false;

    const s = this.settings;
    let cp = startCp;
    const entity_type = task.entity_type;
    const committer = new BatchCommitter<PendingBatch, BatchWriteResult>(
      this.ds,
      {
        write: async (client, b) => {
          b.timer = metrics.batchWrite.startTimer({ entity_type });
          await assertStillRunning(client, task.task_id, task.attempt);
          return withSpan(
            'import batch',
            { 'ferry.task_id': task.task_id, 'ferry.records': b.records.length + b.errors.length },
            () => definition.writeBatch(client, b.records, scope),
          );
        },
        finish: async (client, b, written) => {
          const errors = written.rowErrors.length ? b.errors.concat(written.rowErrors) : b.errors;
          await this.checkpoints.insertRowErrors(client, task.task_id, cp.part, errors);
          await mapping.saveColumns(client, task.task_id, cp.part);
          const count = b.records.length + b.errors.length;
          cp = await this.checkpoints.advance(client, cp, {
            records: count,
            successful: written.written + written.duplicates,
            failed: errors.length,
            duplicates: written.duplicates,
            errorSamples: sampleErrors(cp.errorSamples, errors),
            totalRecords: b.final ? cp.nextRecord + count : null,
          });
          b.outcome = {
            ok: written.written,
            rejected: errors.length,
            duplicate: written.duplicates,
          };
        },
        committed: async (b) => {
          b.timer();
          for (const [name, n] of Object.entries(b.outcome)) {
            if (n > 0) metrics.rows.inc({ entity_type, outcome: name }, n);
          }
          budget.check(cp.failed);
          const metadata = { ignored_columns: mapping.ignoredColumns };
          if (b.final) await this.status.publish(task.task_id, news('completed', cp, metadata));
          else await this.status.publishProgress(task.task_id, news('progress', cp, metadata));
        },
      },
      definition.parallelWrites ? (s.writers ?? 1) : 1,
    );

    let batch = newBatch();
    let seen = 0; // data records read in this delivery, including skipped ones
    let chars = 0; // text of the records in `batch`, so a file of huge rows still makes small batches
    let lastCommit = Date.now();
    const submit = async (final: boolean) => {
      const full = batch;
      full.final = final;
      batch = newBatch();
      chars = 0;
      lastCommit = Date.now();
      await committer.submit(full);
      if (overBudget) await committer.drain(); // commits what was read, then the check fails it
    };

    /** Adds one record to the batch; true when the batch should be committed now. */
    const add = (rec: SourceRecord): boolean => {
      if (seen++ < startCp.nextRecord) return false; // committed by an earlier delivery
      const mapped = mapping.map(rec);
      if (isRowError(mapped)) {
        batch.errors.push(mapped);
        if (budget.exceededBy(++rejected)) overBudget = true;
      } else batch.records.push(mapped);
      for (const v of rec.values) chars += v.length;
      const size = batch.records.length + batch.errors.length;
      return (
        overBudget ||
        size >= s.batchSize ||
        chars >= (s.batchChars ?? DEFAULT_BATCH_CHARS) ||
        ((seen & 255) === 0 && Date.now() - lastCommit >= s.progressIntervalMs && size > 0)
      );
    };

    try {
      // The reader's batches (one per ~64 KB of text) are walked synchronously: no promise per
      // record. Submitting waits while every writer is busy: memory holds writers + 1 batches.
      for (const rec of pending) if (add(rec)) await submit(false);
      for await (const recs of batches) {
        for (const rec of recs) if (add(rec)) await submit(false);
      }
      await submit(true);
      await committer.drain();
    } catch (err) {
      // Reading failed (abort, broken download) while batches may still be committing: let them
      // land first, or one would commit after this delivery gave the task up and fence the next.
      await committer.abandon();
      throw err;
    }
    this.logger.log(
      `task ${task.task_id}: ${cp.processed} records, ${cp.successful} ok, ${cp.failed} rejected, ${cp.duplicates} duplicates`,
    );
    return cp;
  }

  private async readTask(id: string): Promise<{ task_status: TaskStatus; attempt: number } | null> {
    const rows: Array<{ task_status: TaskStatus; attempt: number }> = await this.ds.query(
      'SELECT task_status, attempt FROM tasks WHERE id = $1',
      [id],
    );
    return rows[0] ?? null;
  }
}

/** A batch on its way through the committer. */
interface PendingBatch {
  records: unknown[];
  errors: RowError[];
  final: boolean;
  outcome: { ok: number; rejected: number; duplicate: number };
  /** Ends the batch-write latency timer (started when the batch starts writing). */
  timer: () => void;
}

function newBatch(): PendingBatch {
  return {
    records: [],
    errors: [],
    final: false,
    outcome: { ok: 0, rejected: 0, duplicate: 0 },
    timer: () => undefined,
  };
}

/** What the status service needs to know after a checkpoint: counters, summary, metadata. */
function news(
  kind: StatusKind,
  cp: Checkpoint,
  metadata: Record<string, unknown> = {},
): StatusNews {
  return {
    kind,
    seq: cp.seq,
    counters: counters(cp),
    error_summary: summarizeRowErrors(cp.errorSamples, cp.failed),
    metadata: { ...metadata, duplicates: cp.duplicates },
  };
}

function counters(cp: Checkpoint): TaskCounters {
  return {
    processed_records: cp.processed,
    successful_records: cp.successful,
    failed_records: cp.failed,
    total_records: cp.totalRecords,
  };
}

function sampleErrors(
  kept: Checkpoint['errorSamples'],
  added: RowError[],
): Checkpoint['errorSamples'] {
  if (kept.length >= SUMMARY_SAMPLES || added.length === 0) return kept;
  const more = added
    .slice(0, SUMMARY_SAMPLES - kept.length)
    .map((e) => ({ row_number: e.row_number, message: e.message }));
  return kept.concat(more);
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
