import { copyNullable, copyText, parseCopyLine } from '../../common/copy-text';

/**
 * One event, checked and ready for COPY: `<line>\t<the record's columns as COPY text>`, one flat
 * string. A batch keeps thousands of records alive while it is written, so every object a record
 * keeps lives long enough to be copied into the old generation by the garbage collector: a
 * record object with its file cells cost more than the parse. One string per record is the least.
 */
export type EventRecord = string;

/** An event's stored columns, in the order of `EventRecord.copy`. */
export interface EventFields {
  id: string;
  eventName: string;
  externalCustomerId: string;
  customerId: string | null;
  /** RFC 3339 with a zone, checked (`T` and `Z` upper case); PostgreSQL parses it as given. */
  timestamp: string;
  source: string | null;
  /** A JSON object as text: the file's own text when it came as one `properties` cell. */
  properties: string;
}

export function eventRecord(f: EventFields, line: number): EventRecord {
  // `join` makes one flat string (a `+` chain would keep a tree of pieces alive). The timestamp
  // passed a character-by-character check: nothing in it needs escaping.
  return [
    line,
    copyText(f.id),
    copyText(f.eventName),
    copyText(f.externalCustomerId),
    copyNullable(f.customerId),
    f.timestamp,
    copyNullable(f.source),
    copyText(f.properties),
  ].join('\t');
}

/**
 * A dry run's event (docs/DECISIONS.md 112): `<line>\t<key>\0<the rest>`. The key part (`id`,
 * `timestamp`, and `properties` only when the file gave them as a JSON cell, else `\N`, as COPY
 * text) is all a dry run sends to PostgreSQL: the only values the database can still refuse or
 * find repeated once the row checks passed (the other cells are text the checks bounded;
 * properties built from `properties.<key>` cells are JSON the mapper wrote). The rest is kept, as
 * it is, so a refused row shows the real run's raw cells: NUL separates it, since the row checks
 * refuse a NUL in every cell (nothing to escape). A row PostgreSQL cannot refuse (no JSON cell, a
 * time in `Z`) is only its key: `dryEventKey`.
 */
export function dryEventRecord(f: EventFields, line: number, jsonCell: boolean): EventRecord {
  return [
    line,
    '\t',
    copyText(f.id),
    '\t',
    f.timestamp,
    '\t',
    jsonCell ? copyText(f.properties) : '\\N',
    '\0',
    f.eventName,
    '\0',
    f.externalCustomerId,
    '\0',
    f.customerId ?? '',
    '\0',
    f.source ?? '',
    '\0',
    jsonCell ? '' : f.properties,
  ].join('');
}

/**
 * A dry run's event that PostgreSQL can only find repeated, never refuse (no JSON properties cell,
 * a `Z` time within the checked range): `<line>\t<key>` without the rest, which nobody will read.
 */
export function dryEventKey(f: EventFields, line: number): EventRecord {
  return [line, copyText(f.id), f.timestamp, '\\N'].join('\t');
}

/** The COPY text of a dry record's key part (`id`, `timestamp`, `properties`), without `\n`. */
export function dryRecordKeyText(r: EventRecord): string {
  const end = r.indexOf('\0');
  return r.slice(r.indexOf('\t') + 1, end < 0 ? r.length : end);
}

/** The fields back from a dry record (for a row the database refuses; a key alone has no rest). */
export function dryEventFields(r: EventRecord): EventFields {
  const [id, timestamp, sent] = parseCopyLine(dryRecordKeyText(r));
  const at = r.indexOf('\0');
  const rest = at < 0 ? [] : r.slice(at + 1).split('\0');
  const [eventName = '', externalCustomerId = '', customerId = '', source = '', kept = '{}'] = rest;
  return {
    id: id ?? '',
    eventName,
    externalCustomerId,
    customerId: customerId === '' ? null : customerId,
    timestamp: timestamp ?? '',
    source: source === '' ? null : source,
    properties: sent ?? kept,
  };
}

/** Where the record starts in the file (for errors the database raises later). */
export function recordLine(r: EventRecord): number {
  return Number(r.slice(0, r.indexOf('\t')));
}

/** The record's columns (`EVENT_COLUMNS` order) as one line of COPY text, without `\n`. */
export function recordCopyText(r: EventRecord): string {
  return r.slice(r.indexOf('\t') + 1);
}

/** The fields back from a record (for a row the database refuses, and for tests). */
export function eventFields(r: EventRecord): EventFields {
  const [id, eventName, externalCustomerId, customerId, timestamp, source, properties] =
    parseCopyLine(recordCopyText(r));
  return {
    id: id ?? '',
    eventName: eventName ?? '',
    externalCustomerId: externalCustomerId ?? '',
    customerId,
    timestamp: timestamp ?? '',
    source,
    properties: properties ?? '{}',
  };
}
