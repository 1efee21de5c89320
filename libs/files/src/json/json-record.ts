import { type CsvRecord } from '../csv/csv-record';

/**
 * One element of a JSON file as a record: its 1-based position (`line`), and its top-level keys
 * with their values as text, in the element's own key order. A key the element lacks is a column
 * absent for this record. Strings come decoded; numbers and booleans as written; `null` as ''
 * (a blank cell); nested objects and arrays as their JSON text.
 */
export interface JsonRecord extends CsvRecord {
  keys: string[];
}
