import { Column, Entity, PrimaryColumn } from 'typeorm';

// Property names equal column names (snake_case) across all entities: the API is snake_case too,
// and raw SQL on hot paths reads the same names as the ORM.
@Entity({ name: 'tenants' })
export class TenantEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  created_at: Date;
}
