import { FerryError } from '@ferry/contracts';

export const EVENT_REQUIRED_COLUMNS = ['event_name', 'external_customer_id'] as const;

/** The EVENTS columns Ferry knows, in the order an event record stores them. */
export const EVENT_COLUMNS = [
  'event_id',
  'event_name',
  'external_customer_id',
  'customer_id',
  'timestamp',
  'source',
  'properties',
] as const;
type KnownColumn = (typeof EVENT_COLUMNS)[number];

const PROPERTY_PREFIX = 'properties.';

/** Positions of the EVENTS columns in one file's header (-1 = absent). */
export interface EventColumns {
  index: Readonly<Record<KnownColumn, number>>;
  /** `properties.<key>` columns: their positions and keys, in header order. */
  propertyIndexes: number[];
  propertyKeys: string[];
  ignored: string[];
}

function plural(names: string[], one: string, many: string): string {
  return names.length === 1 ? one : many;
}

/** Reads the header once; a missing required or a repeated column fails the whole file. */
export function resolveEventColumns(header: readonly string[]): EventColumns {
  const index = Object.fromEntries(EVENT_COLUMNS.map((c) => [c, -1])) as Record<
    KnownColumn,
    number
  >;
  const known = new Set<string>(EVENT_COLUMNS);
  const propertyIndexes: number[] = [];
  const propertyKeys: string[] = [];
  const ignored: string[] = [];
  const repeated = new Set<string>();
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (known.has(name) || name.startsWith(PROPERTY_PREFIX)) {
      if (seen.has(name)) repeated.add(name);
      seen.add(name);
    }
    if (known.has(name)) {
      index[name as KnownColumn] = i;
    } else if (name.startsWith(PROPERTY_PREFIX) && name.length > PROPERTY_PREFIX.length) {
      propertyIndexes.push(i);
      propertyKeys.push(name.slice(PROPERTY_PREFIX.length));
    } else if (name !== '') {
      ignored.push(name);
    }
  });

  const missing = EVENT_REQUIRED_COLUMNS.filter((c) => index[c] === -1);
  if (missing.length > 0) {
    const found = header.length > 12 ? [...header.slice(0, 12), '…'] : header;
    throw FerryError.validation(
      `the file lacks the required ${plural(missing, 'column', 'columns')} ${missing.join(', ')} ` +
        `(column names are matched exactly; the header has: ${found.join(', ')})`,
      { missing_columns: missing },
    );
  }
  if (repeated.size > 0) {
    const names = [...repeated];
    throw FerryError.validation(
      `the ${plural(names, 'column', 'columns')} ${names.join(', ')} ${plural(names, 'appears', 'appear')} more than once in the header`,
      { duplicate_columns: names },
    );
  }
  return { index, propertyIndexes, propertyKeys, ignored };
}
