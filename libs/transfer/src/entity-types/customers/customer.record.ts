import { type RowOrigin } from '../../common/base-row.mapper';

/** Optional customer fields, by bit in `present`: a bit set means the row's file has that column. */
export const CUSTOMER_FIELDS = [
  'email',
  'address_line1',
  'address_line2',
  'address_city',
  'address_state',
  'address_postal_code',
  'address_country',
] as const;
export type CustomerField = (typeof CUSTOMER_FIELDS)[number];
/**
 * The CUSTOMERS columns of docs/FORMATS.md §2, in the order an export writes them (after `id`);
 * `metadata.<key>` columns come on top.
 */
export const CUSTOMER_COLUMNS = ['external_id', 'name', ...CUSTOMER_FIELDS, 'metadata'] as const;
/** Bit of `present` for the metadata (any metadata column at all). */
export const METADATA_BIT = 1 << CUSTOMER_FIELDS.length;

/** One customer row, checked: what to set, and which columns the file has (absent = keep). */
export interface CustomerRecord {
  /** Used only when the customer is new: derived from the task and line. */
  id: string;
  externalId: string;
  name: string;
  fields: Record<CustomerField, string | null>;
  present: number;
  metadataSet: Record<string, string>;
  metadataRemove: string[];
  origin: RowOrigin;
}
