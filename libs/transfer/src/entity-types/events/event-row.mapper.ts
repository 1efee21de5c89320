import {
  checkRfc3339,
  describeTimestampProblem,
  normalizeRfc3339,
  type RowError,
  RowErrorCode,
  TimestampProblem,
} from '@ferry/contracts';
import { unescapeFormulaCell } from '@ferry/files';

import { isBlank } from '../../common/cell.reader';
import { rawCells } from '../../common/raw-cells';
import { show } from '../../common/row-problem';
import { type CompiledRowMapper, type ImportScope } from '../../entity-definition';
import { DerivedEventIds } from './derived-event-id';
import { dryEventKey, dryEventRecord, type EventRecord, eventRecord } from './event.record';
import { type EventColumns, resolveEventColumns } from './event-columns';

// Bound once: a call through a library's re-exporting index is a getter call each time (tslib's
// `__exportStar`), and these run per cell.
const unescapeCell = unescapeFormulaCell;
const checkTime = checkRfc3339;
const normalizeTime = normalizeRfc3339;

/** Bounds of one event's cells (characters). */
export const EVENT_LIMITS = {
  id: 255,
  eventName: 255,
  customerId: 255,
  source: 255,
  propertyValue: 4096,
  propertiesJson: 64 * 1024,
} as const;

const enum Text {
  Ok,
  TooLong,
  HasNul,
}

function textProblem(value: string, max: number): Text {
  if (value.length > max) return Text.TooLong;
  return value.indexOf('\0') === -1 ? Text.Ok : Text.HasNul;
}

/**
 * The EVENTS rules of docs/FORMATS.md §2, compiled against one header: per row only index reads, char
 * checks, and a JSON.parse when the row has a `properties` cell.
 */
export class EventRowMapper implements CompiledRowMapper<EventRecord> {
  readonly ignoredColumns: string[];
  private readonly ids: DerivedEventIds;
  private readonly importTime: string;
  /** A dry run's records (`dryEventRecord`, docs/DECISIONS.md 112), for `dryWriteEventBatch`. */
  private readonly dry: boolean;
  /** `"key":` of each properties.<key> column, encoded once. */
  private readonly propertyKeysJson: string[];

  constructor(
    private readonly header: readonly string[],
    private readonly columns: EventColumns,
    scope: ImportScope,
  ) {
    this.ignoredColumns = columns.ignored;
    this.ids = new DerivedEventIds(scope.taskId);
    this.importTime = scope.importTime.toISOString();
    this.dry = scope.dryRun === true;
    this.propertyKeysJson = columns.prefixedKeys.map((key) => `${JSON.stringify(key)}:`);
  }

  static compile(header: string[], scope: ImportScope): EventRowMapper {
    return new EventRowMapper(header.slice(), resolveEventColumns(header), scope);
  }

  map(cells: string[], line: number): EventRecord | RowError {
    // A short row (docs/FORMATS.md §1): an event has no upsert, so an absent cell is a blank one.
    const values = cells.length < this.header.length ? padded(cells, this.header.length) : cells;
    const at = this.columns.index;

    const eventName = unescapeCell(values[at.event_name]);
    if (isBlank(eventName))
      return this.error(values, line, RowErrorCode.REQUIRED, 'event_name is required');
    let problem = textProblem(eventName, EVENT_LIMITS.eventName);
    if (problem !== Text.Ok)
      return this.textError(values, line, 'event_name', eventName, EVENT_LIMITS.eventName, problem);

    const externalCustomerId = unescapeCell(values[at.external_customer_id]);
    if (isBlank(externalCustomerId))
      return this.error(values, line, RowErrorCode.REQUIRED, 'external_customer_id is required');
    problem = textProblem(externalCustomerId, EVENT_LIMITS.customerId);
    if (problem !== Text.Ok) {
      return this.textError(
        values,
        line,
        'external_customer_id',
        externalCustomerId,
        EVENT_LIMITS.customerId,
        problem,
      );
    }

    let id: string;
    const givenId = at.event_id < 0 ? '' : unescapeCell(values[at.event_id]);
    if (isBlank(givenId)) {
      id = this.ids.forLine(line);
    } else {
      problem = textProblem(givenId, EVENT_LIMITS.id);
      if (problem !== Text.Ok)
        return this.textError(values, line, 'event_id', givenId, EVENT_LIMITS.id, problem);
      id = givenId;
    }

    const customerId = this.optionalText(values, line, 'customer_id', EVENT_LIMITS.customerId);
    if (customerId !== null && typeof customerId !== 'string') return customerId;
    const source = this.optionalText(values, line, 'source', EVENT_LIMITS.source);
    if (source !== null && typeof source !== 'string') return source;

    let timestamp = this.importTime;
    if (at.timestamp >= 0) {
      const v = values[at.timestamp];
      if (!isBlank(v)) {
        const tsProblem = checkTime(v);
        if (tsProblem !== TimestampProblem.None) {
          return this.error(
            values,
            line,
            RowErrorCode.INVALID_VALUE,
            describeTimestampProblem('timestamp', v, tsProblem),
          );
        }
        timestamp = normalizeTime(v);
      }
    }

    // A dry run keeps a row's other cells only when PostgreSQL could still refuse the row (a JSON
    // properties cell, a time with an offset): the raw cells of its row error (DECISIONS.md 112).
    const cell = this.columns.index.properties;
    const keepAll =
      !this.dry ||
      (cell >= 0 && !isBlank(values[cell])) ||
      timestamp.charCodeAt(timestamp.length - 1) !== 90; // Z
    const properties = this.properties(values, line, keepAll);
    if (typeof properties !== 'string') return properties;

    const fields = { id, eventName, externalCustomerId, customerId, timestamp, source, properties };
    if (!this.dry) return eventRecord(fields, line);
    return keepAll
      ? dryEventRecord(fields, line, cell >= 0 && !isBlank(values[cell]))
      : dryEventKey(fields, line);
  }

  /** An optional text column: null when absent or blank, the value within bounds, or the RowError. */
  private optionalText(
    values: string[],
    line: number,
    column: 'customer_id' | 'source',
    max: number,
  ): string | null | RowError {
    const at = this.columns.index[column];
    if (at < 0) return null;
    const v = unescapeCell(values[at]);
    if (isBlank(v)) return null;
    const problem = textProblem(v, max);
    return problem === Text.Ok ? v : this.textError(values, line, column, v, max, problem);
  }

  /**
   * The properties as JSON object text, or the RowError explaining why they cannot be. Without
   * `build` (a dry run's row of `properties.<key>` cells only) the cells are checked, not joined.
   */
  private properties(values: string[], line: number, build: boolean): string | RowError {
    const { prefixedIndexes: propertyIndexes, prefixedKeys: propertyKeys, index } = this.columns;
    const text = index.properties < 0 ? '' : values[index.properties];
    const jsonCell = !isBlank(text);
    // Without a JSON cell the object is written as text directly (keys are unique: the header
    // refuses repeats); with one, the columns become an object the JSON is merged into.
    let columnsJson = '';
    let fromColumns: Record<string, string> | null = null;
    for (let k = 0; k < propertyIndexes.length; k++) {
      const v = unescapeCell(values[propertyIndexes[k]]);
      // A blank cell is the empty string, as Flexprice stores it (docs/FORMATS.md §2).
      const problem = textProblem(v, EVENT_LIMITS.propertyValue);
      if (problem !== Text.Ok) {
        return this.textError(
          values,
          line,
          `properties.${propertyKeys[k]}`,
          v,
          EVENT_LIMITS.propertyValue,
          problem,
        );
      }
      if (!build) continue;
      if (jsonCell) {
        // No prototype, so a `properties.__proto__` column is a key like any other.
        fromColumns ??= Object.create(null) as Record<string, string>;
        fromColumns[propertyKeys[k]] = v;
      } else {
        columnsJson +=
          (columnsJson.length === 0 ? '{' : ',') + this.propertyKeysJson[k] + jsonString(v);
      }
    }
    if (!jsonCell) return columnsJson.length === 0 ? '{}' : columnsJson + '}';

    // PostgreSQL's jsonb refuses NUL, escaped or not.
    const problem =
      text.length > EVENT_LIMITS.propertiesJson
        ? Text.TooLong
        : text.indexOf('\\u0000') !== -1 || text.indexOf('\0') !== -1
          ? Text.HasNul
          : Text.Ok;
    if (problem !== Text.Ok) {
      return this.textError(values, line, 'properties', text, EVENT_LIMITS.propertiesJson, problem);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return this.error(
        values,
        line,
        RowErrorCode.INVALID_VALUE,
        `properties ${show(text)} is not valid JSON (${why})`,
      );
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      const kind =
        parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`;
      return this.error(
        values,
        line,
        RowErrorCode.INVALID_VALUE,
        `properties must be a JSON object, not ${kind}`,
      );
    }
    // The file's own text goes to jsonb unchanged (numbers keep their precision); only a merge
    // with properties.<key> columns needs a new text, where the JSON object wins on a shared key.
    return fromColumns ? JSON.stringify(Object.assign(fromColumns, parsed)) : text;
  }

  private textError(
    values: string[],
    line: number,
    column: string,
    value: string,
    max: number,
    problem: Text,
  ): RowError {
    return problem === Text.TooLong
      ? this.error(
          values,
          line,
          RowErrorCode.TOO_LONG,
          `${column} is ${value.length} characters long, more than the ${max} allowed`,
        )
      : this.error(
          values,
          line,
          RowErrorCode.INVALID_VALUE,
          `${column} ${show(value)} contains a NUL character, which cannot be stored`,
        );
  }

  private error(values: string[], line: number, code: RowErrorCode, message: string): RowError {
    return { row_number: line, code, message, raw: rawCells(this.header, values) };
  }
}

// What JSON.stringify escapes in a string: `"`, `\`, control characters, and (lone) surrogates
// (all of them here, to stay on the safe side).
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const JSON_ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `JSON.stringify(v)` of a string, without its call when nothing needs escaping (most cells). */
function jsonString(v: string): string {
  return JSON_ESCAPED.test(v) ? JSON.stringify(v) : `"${v}"`;
}

function padded(values: readonly string[], length: number): string[] {
  const out = values.slice();
  while (out.length < length) out.push('');
  return out;
}
