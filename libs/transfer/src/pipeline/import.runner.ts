import { type DataSource } from 'typeorm';

import {
  type EntityType,
  FerryError,
  FileType,
  parseImportPolicy,
  parseRevertOf,
  parseStrict,
  type TaskCreatedEvent,
  type TaskPartEvent,
} from '@ferry/contracts';
import { type ObjectStorages } from '@ferry/files';
import {
  type Checkpoint,
  CheckpointRepository,
  ImportPartRepository,
  TaskRowErrorRepository,
  TaskRowWarningRepository,
  TaskStateRepository,
  type TurnLock,
  withClient,
} from '@ferry/persistence';

import type { EntityImportDefinition, ImportScope } from '../entity-definition';
import {
  type BatchLoopJob,
  type BatchLoopStores,
  type BatchSettings,
  ImportBatchLoop,
  type WriteMode,
} from './import-batch.loop';
import { openImportPart, openImportSource, type SourceSettings } from './import-source';
import { ImportSplitter, onFileLines, type SplitSettings } from './import-split';
import { ImportTurns, type TurnSettings } from './import-turns';
import {
  readRecordBatches,
  type RecordLimits,
  RecordMapping,
  type SourceRecord,
} from './record-mapping';
import { RevertRunner } from './revert.runner';
import { RowErrorBudget } from './row-error.budget';
import { type StatusPublisher } from './status.publisher';
import { counters, news } from './status-news';
import { type RunControl, TaskDelivery } from './task-delivery';

export interface ImportSettings extends SourceSettings, BatchSettings {
  /** Limits of one record (row size, columns, cell size, JSON depth). */
  records?: RecordLimits;
  /** Rejected rows a task may have when its metadata sets no max_errors (default 10,000). */
  maxRowErrors?: number;
  /** How often a running delivery checks whether its task was cancelled or retried (default 1 s). */
  cancelCheckMs?: number;
  /** Large files read in parts by any importer (docs/DECISIONS.md 128); without it never split. */
  split?: SplitSettings;
}

/**
 * Runs one import task: stream the file, map each record, write batches, and commit each batch
 * together with its checkpoint and row errors in one transaction (exactly-once effect on
 * at-least-once delivery: docs/ARCHITECTURE.md invariant 2). A redelivery resumes after the last
 * committed record. What every delivery does (skip a finished task, watch for a cancel, fail or
 * retry on an error) is `TaskDelivery`; the batches are `ImportBatchLoop`.
 */
export class ImportRunner {
  private readonly delivery: TaskDelivery;
  private readonly stores: BatchLoopStores;
  private readonly reverts: RevertRunner;
  private readonly turns: ImportTurns | null;
  private readonly splitter: ImportSplitter | null;
  private readonly parts = new ImportPartRepository();

  constructor(
    private readonly ds: DataSource,
    private readonly status: StatusPublisher,
    private readonly definitions: ReadonlyMap<EntityType, EntityImportDefinition<unknown>>,
    private readonly settings: ImportSettings,
    /** Backends of `store://` and `s3://` sources; without them only http(s) sources work. */
    private readonly storages?: ObjectStorages,
    /** Per-tenant turns (docs/DECISIONS.md 125); without them a tenant may use every slot. */
    turns?: TurnSettings,
  ) {
    this.turns = turns ? new ImportTurns(ds, turns) : null;
    this.delivery = new TaskDelivery(ds, status, ImportRunner.name, settings.cancelCheckMs);
    this.stores = {
      ds,
      status,
      tasks: new TaskStateRepository(ds),
      checkpoints: new CheckpointRepository(),
      rowErrors: new TaskRowErrorRepository(ds),
      warnings: new TaskRowWarningRepository(ds),
    };
    this.reverts = new RevertRunner(ds, status);
    this.splitter = settings.split
      ? new ImportSplitter(ds, status, settings.split, settings.records?.maxRowBytes ?? 1024 * 1024)
      : null;
  }

  run(task: TaskCreatedEvent, control: RunControl): Promise<void> {
    return this.delivery.run(task, control, (watched) => this.importTask(task, watched));
  }

  /** One delivery of one part of a split import (docs/DECISIONS.md 128). */
  runPart(task: TaskPartEvent, control: RunControl): Promise<void> {
    return this.delivery.run(task, control, async (watched) => {
      await this.importPart(task, watched);
    });
  }

  /** Ends a task as FAILED with a sentence saying why (also used when deliveries run out). */
  fail(taskId: string, reason: string): Promise<void> {
    return this.delivery.fail(taskId, reason);
  }

  private async importTask(task: TaskCreatedEvent, control: RunControl): Promise<void> {
    const checkpoints = this.stores.checkpoints;
    const cp = await withClient(this.ds, (c) => checkpoints.open(c, task.task_id, task.attempt));
    if (cp.totalRecords !== null) {
      // Committed to the end by an earlier delivery that died before announcing it, or whose
      // `completed` was lost: announce it again under a new seq, so that the projection applies
      // it even if it saw the earlier one (a sweeper re-drive, a retry after a late cancel).
      const again = await withClient(this.ds, (c) => checkpoints.bumpSeq(c, cp));
      await this.status.publish(task.task_id, news('completed', again));
      return;
    }
    const revertOf = parseRevertOf(task.metadata);
    if (revertOf !== null) {
      // A revert reads no file: it undoes the import `revert_of` names (docs/API.md §5).
      await this.reverts.revert(task, revertOf, this.definitionOf(task), cp);
      return;
    }
    const plan = this.splitter
      ? await withClient(this.ds, (c) => this.parts.planOf(c, task.task_id))
      : null;
    if (plan) {
      // Split by an earlier delivery that did not see its parts end (a restart, a retry).
      await this.coordinate(task, { open: plan.open, count: plan.parts.length }, control);
      return;
    }
    await this.importFile(task, cp, control);
  }

  /**
   * The delivery of a split task: sends the parts not read yet, then waits for them holding the
   * tenant's turn, as an import read by one importer would hold it.
   */
  private async coordinate(
    task: TaskCreatedEvent,
    { open, count }: { open: readonly number[]; count: number },
    control: RunControl,
    held: TurnLock | null = null,
  ): Promise<void> {
    const splitter = this.splitter;
    if (!splitter) return;
    let turn = held;
    try {
      if (!turn && this.turns) {
        turn = await this.turns.take(task);
        if (!turn) return; // parked: the delivery is acked, the task waits its turn
      }
      await splitter.publish(task, open);
      await splitter.awaitParts(task, count, control.signal);
    } finally {
      if (turn && !held) await this.turns?.release(task, turn);
    }
  }

  /** Reads part `task.part` of a split file: its range after the file's header. */
  private async importPart(task: TaskPartEvent, control: RunControl): Promise<void> {
    const parts = this.parts;
    const found = await withClient(this.ds, (c) => parts.openPart(c, task.task_id, task.part));
    if (!found || found.totalRecords !== null) return; // no such part, or read to its end
    const plan = await withClient(this.ds, (c) => parts.planOf(c, task.task_id));
    if (!plan) return;
    const definition = this.definitionOf(task);
    const scope = await this.scopeOf(task);
    const checkpoints = this.stores.checkpoints;
    // Fences a delivery of this part still running elsewhere (a worker presumed dead).
    const cp = await withClient(this.ds, (c) => checkpoints.bumpSeq(c, found));
    const source = await openImportPart(
      task.file_url,
      plan.header,
      { start: found.rangeStart, end: found.rangeEnd, validator: plan.validator },
      control.signal,
      this.settings,
    );
    let batches: AsyncGenerator<SourceRecord[]> | null = null;
    try {
      const strict = parseStrict(task.metadata);
      batches = onFileLines(
        readRecordBatches(source, FileType.CSV, control.signal, {
          ...this.settings.records,
          strict,
        }),
        found.firstLine - plan.headerLines - 1,
      );
      const { job, pending } = await this.jobOf(task, definition, scope, batches, cp, 'real');
      // The header's warning is the task's, reported once: by part 1.
      if (task.part !== 1) job.mapping.headerWarning = null;
      const split = { parts, plannedRecords: plan.plannedRecords, count: plan.parts.length };
      await new ImportBatchLoop(this.stores, { ...job, split }, cp).run(pending, batches);
    } finally {
      await batches?.return(undefined);
      source.destroy();
    }
  }

  private definitionOf(task: TaskCreatedEvent): EntityImportDefinition<unknown> {
    const definition = this.definitions.get(task.entity_type);
    if (!definition) {
      throw FerryError.validation(
        `Importing ${task.entity_type} is not available in this version of Ferry`,
      );
    }
    return definition;
  }

  private async importFile(
    task: TaskCreatedEvent,
    start: Checkpoint,
    control: RunControl,
  ): Promise<Checkpoint> {
    const definition = this.definitionOf(task);
    const mode = writeMode(task.metadata);
    // Records for the entity's dry writer, when it has one (docs/DECISIONS.md 112).
    const scope = await this.scopeOf(
      task,
      mode === 'dry' && definition.dryWriteBatch !== undefined,
    );
    const open = () =>
      openImportSource(
        task.file_url,
        task.environment_id,
        control.signal,
        this.settings,
        this.storages,
      );
    const opened = await open();
    const declaredBytes = opened.declaredBytes;
    let source = opened.stream;
    let batches: AsyncGenerator<SourceRecord[]> | null = null;
    let turn: TurnLock | null = null;
    try {
      // A small file is over in a moment and holds nobody up: only a large one (or one of unknown
      // size) takes one of its tenant's turns (docs/DECISIONS.md 125).
      if (this.turns && (declaredBytes === null || declaredBytes >= this.turns.minBytes)) {
        turn = await this.turns.take(task);
        if (!turn) return start; // parked: the delivery is acked, the task waits its turn
      }
      // A delivery fenced here has an open response nobody reads: only destroying it frees the
      // socket (and the abort listener the request keeps on the signal).
      const checkpoints = this.stores.checkpoints;
      const cp = await withClient(this.ds, (c) => checkpoints.bumpSeq(c, start));
      await this.status.publishProgress(task.task_id, {
        kind: 'started',
        seq: cp.seq,
        counters: counters(cp),
      });
      const strict = parseStrict(task.metadata);
      const splitter = this.splitter;
      if (splitter?.eligible(task, definition, opened, cp, mode)) {
        const checkHeader = async (header: SourceRecord): Promise<void> => {
          await RecordMapping.open(definition, scope, FileType.CSV, oneBatch([header]), [], strict);
        };
        const plan = await splitter.plan(task, opened, cp, !strict, checkHeader);
        if (plan) {
          const count = plan.parts.length;
          const open = plan.parts.map((_p, k) => k + 1);
          await this.coordinate(task, { open, count }, control, turn);
          return plan.cp;
        }
        // Not cut after all (docs/DECISIONS.md 128): read by this delivery from the start.
        source.destroy();
        source = (await open()).stream;
      }
      batches = readRecordBatches(source, task.file_type, control.signal, {
        ...this.settings.records,
        strict,
      });
      const { job, pending } = await this.jobOf(task, definition, scope, batches, cp, mode);
      return await new ImportBatchLoop(this.stores, job, cp).run(pending, batches);
    } finally {
      await batches?.return(undefined);
      source.destroy();
      if (turn) await this.turns?.release(task, turn);
    }
  }

  private async scopeOf(task: TaskCreatedEvent, dryRun = false): Promise<ImportScope> {
    return {
      tenantId: task.tenant_id,
      environmentId: task.environment_id,
      taskId: task.task_id,
      // Not the delivery's time: a redelivery must find each row's (id, timestamp) key again.
      importTime: (await this.stores.tasks.createdAt(task.task_id)) ?? new Date(),
      dryRun,
    };
  }

  /** The batch loop's job once the file's header is read (a resumed JSON file: its columns). */
  private async jobOf(
    task: TaskCreatedEvent,
    definition: EntityImportDefinition<unknown>,
    scope: ImportScope,
    batches: AsyncGenerator<SourceRecord[]>,
    cp: Checkpoint,
    mode: WriteMode,
  ): Promise<{ job: BatchLoopJob; pending: SourceRecord[] }> {
    const strict = parseStrict(task.metadata);
    const checkpoints = this.stores.checkpoints;
    const saved =
      cp.nextRecord > 0
        ? await withClient(this.ds, (c) => checkpoints.savedColumns(c, task.task_id, cp.part))
        : [];
    const { mapping, pending } = await RecordMapping.open(
      definition,
      scope,
      task.file_type,
      batches,
      saved,
      strict,
    );
    const budget = RowErrorBudget.forTask(task.metadata, this.settings.maxRowErrors ?? 10_000);
    const job = { task, scope, definition, mapping, budget, settings: this.settings, mode };
    return { job, pending };
  }
}

async function* oneBatch(records: SourceRecord[]): AsyncGenerator<SourceRecord[]> {
  yield records;
}

/** `metadata.dry_run` wins over `metadata.atomic`: a dry run commits nothing anyway. */
function writeMode(metadata: Record<string, unknown> | undefined): WriteMode {
  const policy = parseImportPolicy(metadata);
  return policy.dryRun ? 'dry' : policy.atomic ? 'atomic' : 'real';
}
