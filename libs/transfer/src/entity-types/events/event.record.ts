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
