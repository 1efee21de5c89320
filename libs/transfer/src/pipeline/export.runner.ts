import { createWriteStream, promises as fsp } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { type Readable } from 'stream';
import { finished, pipeline } from 'stream/promises';
import { createGzip } from 'zlib';

import { Logger } from '@nestjs/common';

import type { PoolClient } from 'pg';
import { type CopyToStreamQuery, to as copyTo } from 'pg-copy-streams';
import { type DataSource } from 'typeorm';

import {
  type EntityType,
  type ExportConnection,
  FerryError,
  FileType,
  parseExportColumns,
  parseExportConnection,
  parseExportSelection,
  parseWatermarkRange,
  type TaskCreatedEvent,
} from '@ferry/contracts';
import {
  connectionS3Storage,
  type FetchPolicy,
  isFolderKey,
  type ObjectStorages,
  objectUrl,
  parseObjectUrl,
  putFileToUrl,
  redactUrl,
} from '@ferry/files';
import { CheckpointRepository, ConnectionRepository, withClient } from '@ferry/persistence';

import type { EntityExportDefinition } from '../export-definition';
import { CsvRowCounter, exportCopySql, inlineParams, JsonArrayFramer } from './export-copy';
import { type ExportFormatter, exportFormatter } from './export-format';
import { buildExportQuery, selectColumns } from './export-selection';
import { type StatusPublisher } from './status.publisher';
import { exportCounters } from './status-news';
import { type RunControl, TaskDelivery } from './task-delivery';

export interface ExportSettings {
  /** How often progress counters are published while rows stream out. */
  progressIntervalMs: number;
  /** The SSRF guard's policy for an https:// PUT destination (the importer's settings). */
  fetch: FetchPolicy;
}

/**
 * Where the file goes: an object (store://, s3://; an s3:// one through a registered connection's
 * credentials when the task names one) or a URL that accepts a PUT.
 */
type Destination =
  | { kind: 'object'; url: string; connection: ExportConnection | null }
  | { kind: 'put'; url: string };

/**
 * Runs one export task: one REPEATABLE READ snapshot, a count, then a cursor read in fetches,
 * rendered (CSV or JSON, optionally gzip) and streamed straight into the destination. Memory stays
 * at one fetch whatever the table size. A redelivery exports again and replaces the object.
 * What every delivery does (skip a finished task, watch for a cancel, fail or retry on an error)
 * is `TaskDelivery`; the checkpoint serves only for the status sequence.
 */
export class ExportRunner {
  private readonly logger = new Logger(ExportRunner.name);
  private readonly checkpoints = new CheckpointRepository();
  private readonly delivery: TaskDelivery;

  constructor(
    private readonly ds: DataSource,
    private readonly status: StatusPublisher,
    private readonly storages: ObjectStorages,
    private readonly definitions: ReadonlyMap<EntityType, EntityExportDefinition>,
    private readonly settings: ExportSettings,
    /** The destinations users registered (their secrets sealed; docs/API.md §4). */
    private readonly connections = new ConnectionRepository(ds, null),
  ) {
    // A cancel (PUT FAILED) or a retry aborts a running export within a second.
    this.delivery = new TaskDelivery(ds, status, ExportRunner.name);
  }

  run(task: TaskCreatedEvent, control: RunControl): Promise<void> {
    return this.delivery.run(task, control, (watched) => this.export(task, watched));
  }

  /** Ends a task as FAILED with a sentence saying why (also used when deliveries run out). */
  fail(taskId: string, reason: string): Promise<void> {
    return this.delivery.fail(taskId, reason);
  }

  private async export(task: TaskCreatedEvent, control: RunControl): Promise<void> {
    const def = this.definitions.get(task.entity_type);
    if (!def) {
      throw FerryError.validation(
        `Exporting ${task.entity_type} is not available in this version of Ferry`,
      );
    }
    const metadata = task.metadata ?? {};
    const selection = parseExportSelection(metadata, def);
    // docs/FORMATS.md §3: the columns asked for, and an incremental run's transaction ids.
    const columns = selectColumns(def, parseExportColumns(metadata['columns'], def.entity));
    const watermark = parseWatermarkRange(metadata);
    const format = exportFormatter(task.file_type, columns);
    const dest = destinationOf(task, format, selection.gzip, parseExportConnection(metadata));
    let cp = await withClient(this.ds, async (c) =>
      this.checkpoints.bumpSeq(c, await this.checkpoints.open(c, task.task_id, task.attempt)),
    );
    const query = buildExportQuery(
      def,
      { tenantId: task.tenant_id, environmentId: task.environment_id },
      selection,
      { columns, watermark },
    );
    const started = Date.now();
    const result = await withClient(this.ds, async (client) => {
      // One snapshot for the count and the rows: total_records is exact, and rows committed
      // meanwhile are neither half in nor counted.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const counted: Array<{ n: string }> = (
          await client.query(`SELECT count(*) AS n ${query.where}`, query.params)
        ).rows;
        const total = Number(counted[0].n);
        await this.status.publishProgress(task.task_id, {
          kind: 'started',
          seq: cp.seq,
          counters: exportCounters(0, total),
        });
        // docs/DECISIONS.md, decision 140: PostgreSQL writes the file's text (COPY … TO STDOUT);
        // Node counts rows as the bytes pass and streams them, with backpressure, to the file.
        const literal = (v: string): string => client.escapeLiteral(v);
        const sql = exportCopySql(
          inlineParams(query.select, query.params, literal),
          columns,
          task.file_type,
          literal,
        );
        const progress = new ProgressTicker(this.settings.progressIntervalMs, async (written) => {
          cp = await withClient(this.ds, (c) => this.checkpoints.bumpSeq(c, cp));
          await this.status.publishProgress(task.task_id, {
            kind: 'progress',
            seq: cp.seq,
            counters: exportCounters(written, total),
          });
        });
        const onRows = (n: number): void => progress.add(n);
        const body =
          task.file_type === FileType.JSON
            ? new JsonArrayFramer(onRows)
            : new CsvRowCounter(format.head(), onRows);
        if (control.signal.aborted) throw interrupted();
        const copy = client.query(copyTo(sql));
        copy.on('error', (err) => body.destroy(err));
        copy.pipe(body);
        const onAbort = (): void => {
          body.destroy(interrupted());
        };
        control.signal.addEventListener('abort', onAbort, { once: true });
        let stored: { url: string; size: number };
        try {
          stored = await this.write(dest, body, format, selection.gzip, task, control.signal);
          await finished(copy);
          await progress.settled();
        } catch (err) {
          await stopCopy(this.ds, client, copy);
          throw control.signal.aborted ? interrupted() : err;
        } finally {
          control.signal.removeEventListener('abort', onAbort);
        }
        await client.query('COMMIT');
        const written = body.rows;
        if (written !== total || copy.rowCount !== total) {
          throw FerryError.transient(
            `export of ${task.task_id} wrote ${written} rows (COPY ${copy.rowCount}) of ${total}`,
          );
        }
        return { ...stored, rows: written };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
    cp = await withClient(this.ds, (c) => this.checkpoints.bumpSeq(c, cp));
    await this.status.publish(task.task_id, {
      kind: 'completed',
      seq: cp.seq,
      counters: exportCounters(result.rows, result.rows),
      file_url: result.url,
      metadata: {
        row_count: result.rows,
        file_size: result.size,
        content_type: format.contentType,
        compression: selection.gzip ? 'gzip' : 'none',
        // Flexprice's names for the same facts (docs/API.md §1): the window the file covers (null
        // when unbounded) and when it was written.
        file_size_bytes: result.size,
        start_time: selection.startTime,
        end_time: selection.endTime,
        completed_at: new Date().toISOString(),
      },
    });
    this.logger.log(
      `task ${task.task_id}: exported ${result.rows} rows, ${result.size} bytes to ${redactUrl(result.url)} in ${Date.now() - started} ms`,
    );
  }

  private async write(
    dest: Destination,
    body: Readable,
    format: ExportFormatter,
    gzip: boolean,
    task: TaskCreatedEvent,
    signal: AbortSignal,
  ): Promise<{ url: string; size: number }> {
    const bytes = gzip ? body.pipe(createGzip()) : body;
    body.on('error', (err) => bytes.destroy(err));
    const contentType = gzip ? 'application/gzip' : format.contentType;
    if (dest.kind === 'object') {
      const loc = parseObjectUrl(dest.url);
      const backend = dest.connection
        ? await connectionS3Storage(
            dest.connection,
            await this.connections.secrets(dest.connection.connection_id, {
              tenantId: task.tenant_id,
              environmentId: task.environment_id,
            }),
            this.settings.fetch,
          )
        : this.storages.backend(loc.scheme);
      const stored = await backend.put(
        loc.bucket,
        this.storages.storedKey(loc, task.environment_id),
        bytes,
        { contentType, signal, serverSideEncryption: dest.connection?.encryption ?? undefined },
      );
      return { url: dest.url, size: stored.size };
    }
    // A presigned PUT needs a Content-Length: the file is spooled to disk first, never to memory.
    const dir = await fsp.mkdtemp(path.join(tmpdir(), 'ferry-export-'));
    try {
      const file = path.join(dir, `export.${format.extension}`);
      await pipeline(bytes, createWriteStream(file), { signal });
      const { size } = await fsp.stat(file);
      await putFileToUrl(dest.url, file, size, {
        contentType,
        ...this.settings.fetch,
        signal,
      });
      return { url: dest.url, size };
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }
}

function interrupted(): FerryError {
  return FerryError.transient('the export was interrupted (shutdown)');
}

/**
 * Ends a COPY the file side gave up on: its bytes are drained and its statement cancelled, so the
 * connection comes back usable (the ROLLBACK that follows then succeeds).
 */
async function stopCopy(
  ds: DataSource,
  client: PoolClient,
  copy: CopyToStreamQuery,
): Promise<void> {
  copy.unpipe();
  copy.resume();
  if (copy.readableEnded || copy.destroyed) return;
  const pid = (client as unknown as { processID?: number }).processID;
  if (pid) await ds.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
  await finished(copy).catch(() => undefined);
}

/**
 * Publishes the rows written so far at most every `intervalMs`, one publication at a time, without
 * holding up the bytes; an error of a publication is thrown by `settled()`.
 */
class ProgressTicker {
  private written = 0;
  private last = Date.now();
  private inFlight: Promise<void> | null = null;
  private error: unknown = null;

  constructor(
    private readonly intervalMs: number,
    private readonly publish: (written: number) => Promise<void>,
  ) {}

  add(n: number): void {
    this.written += n;
    if (this.inFlight || Date.now() - this.last < this.intervalMs) return;
    this.last = Date.now();
    this.inFlight = this.publish(this.written)
      .catch((err: unknown) => {
        this.error ??= err;
      })
      .finally(() => {
        this.inFlight = null;
      });
  }

  async settled(): Promise<void> {
    await this.inFlight;
    if (this.error) throw this.error;
  }
}

function destinationOf(
  task: TaskCreatedEvent,
  format: ExportFormatter,
  gzip: boolean,
  connection: ExportConnection | null,
): Destination {
  const url = task.file_url;
  if (connection && !/^s3:\/\//i.test(url)) {
    throw FerryError.validation(
      `metadata.connection names an S3 connection, so file_url must be an s3:// URL, not ${redactUrl(url)}`,
    );
  }
  if (/^https?:\/\//i.test(url)) return { kind: 'put', url };
  const loc = parseObjectUrl(url);
  if (isFolderKey(loc.key)) {
    const name = `${task.task_id}.${format.extension}${gzip ? '.gz' : ''}`;
    return { kind: 'object', url: objectUrl({ ...loc, key: `${loc.key}${name}` }), connection };
  }
  return { kind: 'object', url, connection };
}
