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

  /** Parts of a split import (docs/DECISIONS.md 128): on part 0, 0 when the file is not split. */
  @Column({ type: 'int', default: 0 })
  parts: number;

  /** On part 0 of a split import: the data records the boundary scan counted. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintTransformer })
  planned_records: number | null;

  /** On part 0 of a split import: the header record's bytes, read by every part first. */
  @Column({ type: 'bytea', nullable: true })
  header: Buffer | null;

  @Column({ type: 'int', nullable: true })
  header_lines: number | null;

  /** On part 0 of a split import: the file's ETag or Last-Modified when it was split (If-Range). */
  @Column({ type: 'text', nullable: true })
  source_validator: string | null;

  /** On a part of a split import: its bytes [range_start, range_end) of the file. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintTransformer })
  range_start: number | null;

  @Column({ type: 'bigint', nullable: true, transformer: bigintTransformer })
  range_end: number | null;

  /** On a part of a split import: the file's line its range starts on. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintTransformer })
  first_line: number | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updated_at: Date;
}
