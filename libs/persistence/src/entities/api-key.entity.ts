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

  /** After it the key is refused (null: never). */
  @Column({ type: 'timestamptz', nullable: true })
  expires_at: Date | null;

  /** When the key last authenticated a request, to the minute. */
  @Column({ type: 'timestamptz', nullable: true })
  last_used_at: Date | null;

  /** Flexprice's secret type: `private_key` or `publishable_key` (read only). */
  @Column({ type: 'text', default: 'private_key' })
  key_type: string;
}
