import { BaseRowMapper, type RowOrigin } from '../../common/base-row.mapper';
import { type CellReader } from '../../common/cell.reader';
import { DerivedIds } from '../../common/derived-ids';
import { type EntityColumns, metadataColumnsResolver } from '../../common/entity-columns';
import { ISO_COUNTRIES } from '../../common/iso-country';
import { invalid, show } from '../../common/row-problem';
import { readMetadata } from '../../common/string-map.builder';
import { type ImportScope } from '../../entity-definition';
import {
  CUSTOMER_COLUMNS,
  CUSTOMER_FIELDS,
  type CustomerField,
  type CustomerRecord,
  METADATA_BIT,
} from './customer.record';
import { customersExport } from './customers.export';

export const CUSTOMER_REQUIRED_COLUMNS = ['external_id', 'name'] as const;
type CustomerColumn = (typeof CUSTOMER_COLUMNS)[number];
const resolveCustomerColumns = metadataColumnsResolver(
  CUSTOMER_COLUMNS,
  CUSTOMER_REQUIRED_COLUMNS,
  customersExport.columns,
);

/** Bounds of docs/FORMATS.md §2 (characters). */
export const CUSTOMER_LIMITS: Readonly<Record<'external_id' | 'name' | CustomerField, number>> = {
  external_id: 255,
  name: 255,
  email: 254,
  address_line1: 255,
  address_line2: 255,
  address_city: 100,
  address_state: 100,
  address_postal_code: 20,
  address_country: 2,
};

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** The CUSTOMERS rules of docs/FORMATS.md §2, compiled against one header. */
export class CustomerRowMapper extends BaseRowMapper<CustomerRecord> {
  private readonly ids: DerivedIds;
  private readonly present: number;

  private constructor(
    header: readonly string[],
    private readonly columns: EntityColumns<CustomerColumn>,
    scope: ImportScope,
  ) {
    super(header, columns.ignored);
    this.ids = new DerivedIds('cust', scope.taskId);
    let present = 0;
    CUSTOMER_FIELDS.forEach((f, bit) => {
      if (columns.index[f] >= 0) present |= 1 << bit;
    });
    if (columns.index.metadata >= 0 || columns.prefixedIndexes.length > 0) present |= METADATA_BIT;
    this.present = present;
  }

  static compile(header: string[], scope: ImportScope): CustomerRowMapper {
    return new CustomerRowMapper(header.slice(), resolveCustomerColumns(header), scope);
  }

  /** A short row's columns (docs/FORMATS.md §1): its missing trailing cells keep their field. */
  private presentIn(origin: RowOrigin): number {
    let present = this.present;
    const n = origin.cells.length;
    CUSTOMER_FIELDS.forEach((f, bit) => {
      if (this.columns.index[f] >= n) present &= ~(1 << bit);
    });
    return present;
  }

  protected read(c: CellReader, origin: RowOrigin): CustomerRecord {
    const at = this.columns.index;
    const externalId = c.requiredText('external_id', at.external_id, CUSTOMER_LIMITS.external_id);
    const name = c.requiredText('name', at.name, CUSTOMER_LIMITS.name);
    const fields = {} as Record<CustomerField, string | null>;
    for (const f of CUSTOMER_FIELDS)
      fields[f] = c.text(f, at[f], f === 'address_country' ? 64 : CUSTOMER_LIMITS[f]);
    if (fields.email !== null && !EMAIL.test(fields.email)) {
      throw invalid(`email ${show(fields.email)} is not a valid email address`);
    }
    if (fields.address_country !== null) {
      const code = fields.address_country.toUpperCase();
      if (!ISO_COUNTRIES.has(code)) {
        throw invalid(
          `address_country ${show(fields.address_country)} is not an ISO 3166-1 alpha-2 country code such as US or DE`,
        );
      }
      fields.address_country = code;
    }
    const metadata = readMetadata(c, this.columns);
    return {
      id: this.ids.forLine(origin.line),
      externalId,
      name,
      fields,
      present: origin.cells.length < this.header.length ? this.presentIn(origin) : this.present,
      metadataSet: metadata.set,
      metadataRemove: metadata.remove,
      origin,
    };
  }
}
