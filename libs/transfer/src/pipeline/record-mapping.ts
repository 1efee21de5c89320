import { type Readable } from 'stream';

import {
  FerryError,
  FileType,
  type RowError,
  RowErrorCode,
  type RowWarning,
} from '@ferry/contracts';
import { type CsvLeniency, type CsvRecord, readCsvBatches, readJsonBatches } from '@ferry/files';

import { rawCells } from '../common/raw-cells';
import type { CompiledRowMapper, EntityImportDefinition, ImportScope } from '../entity-definition';

/** A record of either format: JSON records name their own keys, CSV ones share the header. */
export type SourceRecord = CsvRecord & { keys?: string[] };

/** Bounds on what a JSON file's varying keys can make us keep. */
const MAX_MAPPERS = 256;
const MAX_COLUMNS = 1000;
const MAX_IGNORED = 100;

type JsonEntry = CompiledRowMapper<unknown> | { missing: string[] };

/** Limits of one record; each over-limit record is a row error (defaults in @ferry/files). */
export interface RecordLimits {
  /** FERRY_MAX_ROW_BYTES: a CSV row or a JSON element, in characters of text. */
  maxRowBytes?: number;
  /** FERRY_MAX_COLUMNS: values in a CSV row, keys in a JSON element. */
  maxColumns?: number;
  /** FERRY_MAX_CELL_BYTES: one value. */
  maxCellBytes?: number;
  /** FERRY_MAX_JSON_DEPTH: nesting of a JSON element. */
  maxJsonDepth?: number;
  /** `metadata.strict`: read a CSV strictly instead of as Flexprice does (docs/FORMATS.md §1). */
  strict?: boolean;
}

/** A file's records in the batches the reader parsed them in (one per ~64 KB of text). */
export function readRecordBatches(
  stream: Readable,
  fileType: FileType,
  signal: AbortSignal,
  limits: RecordLimits = {},
): AsyncGenerator<SourceRecord[]> {
  const { maxRowBytes, maxColumns, maxCellBytes, maxJsonDepth, strict } = limits;
  return fileType === FileType.JSON
    ? readJsonBatches(stream, {
        signal,
        maxRecordChars: maxRowBytes,
        maxColumns,
        maxCellBytes,
        maxDepth: maxJsonDepth,
      })
    : readCsvBatches(stream, {
        signal,
        maxRowBytes,
        maxColumns,
        maxCellBytes,
        lenient: strict !== true,
      });
}

/**
 * Turns source records into an entity's records. A CSV file has one header, compiled once. A
 * JSON element's keys are its header: absent keys are absent columns (customers keep those
 * fields), so mappers are compiled per key set and cached (elements of one file nearly always
 * share theirs). Also collects the file's columns in order of first appearance (for `/errors`)
 * and the ignored ones.
 */
export class RecordMapping {
  private readonly cache = new Map<string, JsonEntry>();
  private readonly columnSet = new Set<string>();
  private readonly ignored = new Set<string>();
  readonly columns: string[] = [];
  private columnsChanged = false;
  /** The warning of the record `map` last read, or null: the caller takes it after each call. */
  warning: RowWarning | null = null;
  /** The header's own warning (trimmed names), line 1; reported once, by the first delivery. */
  headerWarning: RowWarning | null = null;

  private constructor(
    private readonly definition: EntityImportDefinition<unknown>,
    private readonly scope: ImportScope,
    private readonly csv: { header: string[]; mapper: CompiledRowMapper<unknown> } | null,
    private readonly strict = false,
  ) {
    if (csv) {
      this.addColumns(csv.header);
      for (const c of csv.mapper.ignoredColumns) this.ignored.add(c);
    }
  }

  /**
   * For CSV reads and compiles the header; a file that is empty or plainly JSON fails here.
   * `pending` holds the records that came in the header's batch, to be mapped first.
   */
  static async open(
    definition: EntityImportDefinition<unknown>,
    scope: ImportScope,
    fileType: FileType,
    batches: AsyncGenerator<SourceRecord[]>,
    savedColumns: readonly string[] = [],
    strict = false,
  ): Promise<{ mapping: RecordMapping; pending: SourceRecord[] }> {
    if (fileType === FileType.JSON) {
      const mapping = new RecordMapping(definition, scope, null);
      mapping.restore(savedColumns);
      return { mapping, pending: [] };
    }
    const first = await batches.next();
    if (first.done || first.value.length === 0) {
      throw FerryError.validation('The file is empty: a CSV needs a header row');
    }
    const head = first.value[0];
    const header = head.values;
    const start = (header[0] ?? '').trimStart();
    if (start.startsWith('{') || start.startsWith('[')) {
      throw FerryError.validation(
        `the file looks like JSON (it starts with ${start[0]}), but the task declares file_type CSV`,
      );
    }
    if (head.error) {
      throw FerryError.validation(`the header row is not valid CSV: ${head.error}`);
    }
    const mapping = new RecordMapping(
      definition,
      scope,
      { header, mapper: definition.compile(header, scope) },
      strict,
    );
    if (head.leniency) {
      const message = leniencyParts(header, head.leniency).join('; ');
      mapping.headerWarning = { row_number: head.line, message, raw: rawCells(header, header) };
    }
    return { mapping, pending: first.value.slice(1) };
  }

  private restore(saved: readonly string[]): void {
    if (saved.length === 0) return;
    this.addColumns(saved);
    this.columnsChanged = false;
    // Compiling the union (plus the required columns, so it compiles) names the unknown ones.
    const header = [...new Set([...saved, ...this.definition.requiredColumns])];
    for (const c of this.definition.compile(header, this.scope).ignoredColumns) {
      if (this.ignored.size < MAX_IGNORED) this.ignored.add(c);
    }
  }

  get ignoredColumns(): string[] {
    return [...this.ignored];
  }

  map(rec: SourceRecord): unknown {
    const header = rec.keys ?? this.csv?.header ?? [];
    this.warning = null;
    if (rec.error) {
      return {
        row_number: rec.line,
        code: rec.errorCode ?? RowErrorCode.MALFORMED_ROW,
        message: rec.error,
        raw: rawCells(header, rec.values),
      } satisfies RowError;
    }
    if (this.csv) return this.mapCsv(this.csv, rec);
    const entry = this.jsonMapper(header);
    if ('missing' in entry) {
      const m = entry.missing;
      return {
        row_number: rec.line,
        code: RowErrorCode.REQUIRED,
        message: `${m.join(', ')} ${m.length === 1 ? 'is' : 'are'} required (the element has no such key)`,
        raw: rawCells(header, rec.values),
      } satisfies RowError;
    }
    const mapped = entry.map(rec.values, rec.line);
    const ignored = entry.takeWarnings?.();
    if (ignored) {
      const raw = rawCells(header, rec.values);
      this.warning = { row_number: rec.line, message: ignored.join('; '), raw };
    }
    return mapped;
  }

  /**
   * A CSV record: read as Flexprice reads it unless strict (docs/FORMATS.md §1). A short row lacks
   * its trailing cells (absent, not blank), a long row's extra cells are dropped; each leniency of
   * the row, the mapper's ignored cells too, becomes one warning naming the columns.
   */
  private mapCsv(
    csv: { header: string[]; mapper: CompiledRowMapper<unknown> },
    rec: SourceRecord,
  ): unknown {
    const { header, mapper } = csv;
    let values = rec.values;
    let parts: string[] | null = rec.leniency ? leniencyParts(header, rec.leniency) : null;
    if (values.length !== header.length) {
      const counts = `the row has ${values.length} cells but the header has ${header.length} columns`;
      if (this.strict) {
        return {
          row_number: rec.line,
          code: RowErrorCode.MALFORMED_ROW,
          message: counts,
          raw: rawCells(header, values),
        } satisfies RowError;
      }
      (parts ??= []).push(
        values.length < header.length
          ? `${counts}: ${list(header.slice(values.length))} read as absent`
          : `${counts}: the ${values.length - header.length} extra cells are ignored`,
      );
      if (values.length > header.length) values = values.slice(0, header.length);
    }
    const mapped = mapper.map(values, rec.line);
    const ignored = mapper.takeWarnings?.();
    if (ignored) (parts ??= []).push(...ignored);
    if (parts)
      this.warning = {
        row_number: rec.line,
        message: parts.join('; '),
        raw: rawCells(header, values),
      };
    return mapped;
  }

  /**
   * Saves the columns seen so far with the checkpoint (`save` runs in the batch's transaction),
   * when new ones appeared since the last save.
   */
  async saveColumns(save: (columns: readonly string[]) => Promise<void>): Promise<void> {
    if (!this.columnsChanged) return;
    await save(this.columns);
    this.columnsChanged = false;
  }

  private jsonMapper(keys: string[]): JsonEntry {
    const signature = keys.join('\u0000');
    let entry = this.cache.get(signature);
    if (entry) return entry;
    const missing = this.definition.requiredColumns.filter((c) => !keys.includes(c));
    if (missing.length > 0) {
      entry = { missing };
    } else {
      const mapper = this.definition.compile(keys, this.scope);
      for (const c of mapper.ignoredColumns)
        if (this.ignored.size < MAX_IGNORED) this.ignored.add(c);
      entry = mapper;
    }
    this.addColumns(keys);
    if (this.cache.size >= MAX_MAPPERS) this.cache.clear();
    this.cache.set(signature, entry);
    return entry;
  }

  private addColumns(keys: readonly string[]): void {
    for (const k of keys) {
      if (this.columnSet.has(k) || this.columns.length >= MAX_COLUMNS) continue;
      this.columnSet.add(k);
      this.columns.push(k);
      this.columnsChanged = true;
    }
  }
}

/** The sentences of a record's read leniencies, naming the columns by the header. */
function leniencyParts(header: readonly string[], l: CsvLeniency): string[] {
  const name = (c: number): string => header[c - 1] || `column ${c}`;
  const parts: string[] = [];
  if (l.trimmed.length > 0) parts.push(`leading blanks trimmed from ${list(l.trimmed.map(name))}`);
  if (l.strayQuotes.length > 0) {
    parts.push(`a stray quote in ${list(l.strayQuotes.map(name))} read as a character`);
  }
  return parts;
}

/** Column names for a message: the first five, then how many more. */
function list(names: readonly string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}
