import { Column, Entity, PrimaryColumn } from 'typeorm';

import { RowError } from '@ferry/contracts';

import { bigintTransformer } from '../bigint.transformer';

/**
 * Where an import (part) stands, committed with each batch (docs/ARCHITECTURE.md invariant 2), and
 * the status sequence of every task, exports included (invariant 3). Keyed by (task, part) so that
 * splitting a file into byte ranges adds parts; the whole file is part 0 (invariant 6).
 */
@Entity({ name: 'task_checkpoints' })
export class TaskCheckpointEntity {
  @PrimaryColumn({ type: 'text' })
  task_id: string;

  @PrimaryColumn({ type: 'int', default: 0 })
  part: number;

  @Column({ type: 'int', default: 0 })
  attempt: number;

  /** Data records consumed so far: a resumed run skips this many. */
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer })
  next_record: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer })
  processed: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer })
  successful: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer })
  failed: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer })
  duplicates: number;

  @Column({ type: 'bigint', nullable: true, transformer: bigintTransformer })
  total_records: number | null;

  /** Sequence of the last status event emitted for this task (docs/ARCHITECTURE.md invariant 3). */
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer })
  seq: number;

  /** The first 10 row errors, for `error_summary`. */
  @Column({ type: 'jsonb', default: () => `'[]'::jsonb` })
  error_samples: RowError[];

  /** The file's columns in order of first appearance, for `/errors` (docs/DECISIONS.md 32). */
  @Column({ type: 'jsonb', default: () => `'[]'::jsonb` })
  columns: string[];

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updated_at: Date;
}
