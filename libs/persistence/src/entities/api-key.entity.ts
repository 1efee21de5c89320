import { Column, Entity, PrimaryColumn } from 'typeorm';

import { Permission } from '@ferry/contracts';

/** An API key, stored only as its SHA-256 hash (docs/API.md §2). */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  tenant_id: string;

  @Column({ type: 'text' })
  environment_id: string;

  /** Becomes `created_by` / `updated_by` of what the key creates. */
  @Column({ type: 'text' })
  user_id: string;

  @Column({ type: 'text' })
  name: string;

  /** sha256 hex of the key. */
  @Column({ type: 'text', unique: true })
  key_hash: string;

  /** The key's first 8 characters, to recognise it in a listing without revealing it. */
  @Column({ type: 'text' })
  key_prefix: string;

  @Column({ type: 'text', array: true })
  permissions: Permission[];

  @Column({ type: 'timestamptz', default: () => 'now()' })
  created_at: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revoked_at: Date | null;
}
