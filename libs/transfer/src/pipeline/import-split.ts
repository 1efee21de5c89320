import { Logger } from '@nestjs/common';

import { type DataSource } from 'typeorm';

import {
  FileType,
  isFinalStatus,
  TaskCancelledError,
  type TaskCreatedEvent,
  type TaskPartEvent,
} from '@ferry/contracts';
import { CsvBoundaryScanner, CsvTextParser } from '@ferry/files';
import { delay } from '@ferry/messaging';
import {
  type Checkpoint,
  CheckpointFencedError,
  CheckpointRepository,
  ImportPartRepository,
  type ImportPlan,
  TaskStateRepository,
  withClient,
} from '@ferry/persistence';

import type { EntityImportDefinition } from '../entity-definition';
import type { WriteMode } from './import-batch.loop';
import type { ImportSource } from './import-source';
import { type SourceRecord } from './record-mapping';
import { type StatusPublisher } from './status.publisher';
import { news } from './status-news';

/** How large imports are cut into parts that any importer takes (docs/DECISIONS.md 128). */
export interface SplitSettings {
  /** FERRY_IMPORT_PART_BYTES: bytes of a part; a file smaller than two parts is read whole. */
  partBytes: number;
  /** Publishes one part's message on `task.part.import.<entity>` with its msgID. */
  publish(part: TaskPartEvent, msgID: string): Promise<void>;
  /** How often the delivery that split a task looks whether its parts are done (default 500 ms). */
  pollMs?: number;
}

/**
 * The splitting side of a large import (docs/DECISIONS.md 128, docs/ARCHITECTURE.md invariant
 * 6): decides whether a file is cut, scans it once for record boundaries (`CsvBoundaryScanner`),
 * stores the plan with part 0's checkpoint, publishes one message per part, and waits, holding
 * the tenant's turn, until the parts are read to their end. The parts themselves are read by
 * `ImportRunner.runPart` on whichever importer takes them; the last to finish announces
 * `completed` (`ImportPartRepository.addToSums`).
 */
export class ImportSplitter {
  private readonly logger = new Logger(ImportSplitter.name);
  private readonly parts = new ImportPartRepository();
  private readonly checkpoints = new CheckpointRepository();
  private readonly tasks: TaskStateRepository;

  constructor(
    private readonly ds: DataSource,
    private readonly status: StatusPublisher,
    private readonly settings: SplitSettings,
    private readonly maxRowBytes: number,
  ) {
    this.tasks = new TaskStateRepository(ds);
  }

  /**
   * Whether this delivery may cut the file instead of reading it: a CSV of an order-free entity
   * type (events), a real import (an atomic import commits once, a dry run writes nothing), from
   * a source that serves byte ranges and declares at least two parts' worth of bytes, not gzip,
   * and not begun as one part by an earlier delivery.
   */
  eligible(
    task: TaskCreatedEvent,
    definition: EntityImportDefinition<unknown>,
    source: ImportSource,
    start: Checkpoint,
    mode: WriteMode,
  ): boolean {
    const partBytes = this.settings.partBytes;
    return (
      partBytes > 0 &&
      definition.splittable === true &&
      task.file_type === FileType.CSV &&
      mode === 'real' &&
      source.ranged !== null &&
      source.declaredBytes !== null &&
      source.declaredBytes >= 2 * partBytes &&
      start.nextRecord === 0 &&
      start.processed === 0
    );
  }

  /**
   * Scans the file for its parts and stores the plan (fenced by part 0's seq). Null when the
   * file must be read by one importer after all (why is logged): the caller opens it again.
   */
  async plan(
    task: TaskCreatedEvent,
    source: ImportSource,
    cp: Checkpoint,
    lenient: boolean,
    /** Throws the task's FerryError when the header cannot be imported (a missing column). */
    checkHeader: (header: SourceRecord) => Promise<void>,
  ): Promise<(ImportPlan & { cp: Checkpoint }) | null> {
    const scanner = new CsvBoundaryScanner({
      partBytes: this.settings.partBytes,
      lenient,
      maxRowBytes: this.maxRowBytes,
    });
    // The file's first bytes, until they hold the header record (at most a row's limit).
    const first: Buffer[] = [];
    let firstBytes = 0;
    for await (const chunk of source.stream as AsyncIterable<Buffer>) {
      if (scanner.headerEnd === null && firstBytes <= this.maxRowBytes) {
        first.push(chunk);
        firstBytes += chunk.length;
      }
      scanner.push(chunk);
      if (scanner.unsplittable) break;
    }
    const head = Buffer.concat(first);
    const result = scanner.finish();
    if ('unsplittable' in result) {
      this.logger.log(`task ${task.task_id} is read as one part: ${result.unsplittable}`);
      return null;
    }
    const scanned = result.plan;
    if (scanned.parts.length < 2 || head.length < scanned.headerEnd) return null;
    const header = Buffer.from(head.subarray(0, scanned.headerEnd));
    const record = headerRecord(header, lenient);
    if (!record) {
      this.logger.log(`task ${task.task_id} is read as one part: its header is not one record`);
      return null;
    }
    // A header that cannot be imported fails the task now, not in every part.
    await checkHeader(record);
    const plan: ImportPlan = {
      header,
      headerLines: scanned.headerLines,
      plannedRecords: scanned.records,
      validator: source.ranged?.validator ?? null,
      parts: scanned.parts,
    };
    const planned = await withClient(this.ds, async (c) => {
      await c.query('BEGIN');
      try {
        const next = await this.parts.plan(c, cp, plan, task.attempt);
        await c.query('COMMIT');
        return next;
      } catch (err) {
        await c.query('ROLLBACK');
        throw err;
      }
    });
    this.logger.log(
      `task ${task.task_id}: ${scanned.bytes} bytes, ${scanned.records} records, split into ${plan.parts.length} parts`,
    );
    return { ...plan, cp: planned };
  }

  /** Publishes the messages of `parts` (msgID per attempt and part: a republish is a no-op). */
  async publish(task: TaskCreatedEvent, parts: readonly number[]): Promise<void> {
    for (const part of parts) {
      const message = { ...task, part } as TaskPartEvent;
      await this.settings.publish(message, `${task.task_id}:attempt-${task.attempt}:part-${part}`);
    }
  }

  /**
   * Waits until every part is read to its end (or the task ends some other way), so that the
   * delivery keeps its tenant's turn while the parts run; then announces `completed` once more
   * (a no-op when the last part's news arrived), covering a last part that died after its COMMIT.
   */
  async awaitParts(task: TaskCreatedEvent, plan: number, signal: AbortSignal): Promise<void> {
    const pollMs = this.settings.pollMs ?? 500;
    for (;;) {
      if (signal.aborted) throw signal.reason ?? new TaskCancelledError(task.task_id, 'stopped');
      const sums = await withClient(this.ds, (c) => this.parts.sums(c, task.task_id));
      if (sums?.totalRecords != null) {
        const again = await withClient(this.ds, (c) => this.checkpoints.bumpSeq(c, sums)).catch(
          (err: unknown) => {
            if (err instanceof CheckpointFencedError) return null; // announced meanwhile
            throw err;
          },
        );
        if (!again) return;
        await this.status.publish(
          task.task_id,
          news('completed', { ...sums, seq: again.seq }, { ...sums.figures, parts: plan }),
        );
        return;
      }
      const state = await this.tasks.readState(task.task_id);
      if (!state || isFinalStatus(state.task_status) || state.attempt !== task.attempt) return;
      await delay(pollMs, signal);
    }
  }
}

/** The header record, when the header bytes are exactly one record as the parser reads them. */
function headerRecord(header: Buffer, lenient: boolean): SourceRecord | null {
  const text = header.toString('utf8').replace(/^\ufeff/, '');
  const records = new CsvTextParser(header.length + 1, { lenient }).push(text, true);
  return records.length === 1 && !records[0].error ? records[0] : null;
}

/**
 * A part's records numbered by the file's lines: the part's text is the header and then its
 * range, so every record after the header moves down by the lines before the range.
 */
export async function* onFileLines(
  batches: AsyncGenerator<SourceRecord[]>,
  shift: number,
): AsyncGenerator<SourceRecord[]> {
  let header = true;
  try {
    for await (const records of batches) {
      for (let i = header ? 1 : 0; i < records.length; i++) records[i].line += shift;
      header = false;
      yield records;
    }
  } finally {
    await batches.return(undefined);
  }
}
