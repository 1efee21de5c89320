/** One event, checked and ready for COPY: text as it will be stored. */
export interface EventRecord {
  id: string;
  eventName: string;
  externalCustomerId: string;
  customerId: string | null;
  /** RFC 3339 with a zone, checked (`T` and `Z` upper case); PostgreSQL parses it as given. */
  timestamp: string;
  source: string | null;
  /** A JSON object as text: the file's own text when it came as one `properties` cell. */
  properties: string;
  /** Where the record starts in the file, for errors the database raises later. */
  line: number;
  /** The header and the record's original cells, for the RowError of a row the database refuses. */
  header: readonly string[];
  cells: readonly string[];
}
