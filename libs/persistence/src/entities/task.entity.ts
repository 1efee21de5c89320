import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

import { EntityType, FileType, RecordStatus, TaskStatus, TaskType } from '@ferry/contracts';

import { bigintTransformer } from '../bigint.transformer';

/** A task (docs/API.md §1 TaskResponse) plus the bookkeeping the services need. */
@Entity({ name: 'tasks' })
@Index('tasks_scope_created_idx', ['tenant_id', 'environment_id', 'created_at', 'id'])
export class TaskEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  tenant_id: string;

  @Column({ type: 'text' })
  environment_id: string;

  @Column({ type: 'text' })
  task_type: TaskType;

  @Column({ type: 'text' })
  entity_type: EntityType;

  @Column({ type: 'text' })
  file_type: FileType;

  @Column({ type: 'text' })
  file_url: string;

  @Column({ type: 'text', nullable: true })
  file_name: string | null;

  @Column({ type: 'text', default: TaskStatus.PENDING })
  task_status: TaskStatus;

  @Column({ type: 'bigint', nullable: true, transformer: bigintTransformer })
  total_records: number | null;

  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer })
  processed_records: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer })
  successful_records: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer })
  failed_records: number;

  @Column({ type: 'text', nullable: true })
  error_summary: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  metadata: Record<string, unknown>;

  @Column({ type: 'timestamptz', nullable: true })
  started_at: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completed_at: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  failed_at: Date | null;

  @Column({ type: 'text', default: RecordStatus.PUBLISHED })
  status: RecordStatus;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  created_at: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updated_at: Date;

  @Column({ type: 'text', nullable: true })
  created_by: string | null;

  @Column({ type: 'text', nullable: true })
  updated_by: string | null;

  @Column({ type: 'text', nullable: true })
  workflow_id: string | null;

  @Column({ type: 'text', nullable: true })
  scheduled_task_id: string | null;

  /** 0 for the first run; each retry increments it (it is part of the retry's message id). */
  @Column({ type: 'int', default: 0 })
  attempt: number;

  /** The sequence of the last status event applied, so older or repeated events are ignored. */
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer })
  last_seq: number;

  /** How often the sweeper re-published this task's message because it had no news (issue 5). */
  @Column({ type: 'int', default: 0 })
  redrives: number;

  @Column({ type: 'timestamptz', nullable: true })
  redriven_at: Date | null;

  @Column({ type: 'text', nullable: true })
  idempotency_key: string | null;

  /** Hash of the creating request's body: the same key with another body is a 409. */
  @Column({ type: 'text', nullable: true })
  request_hash: string | null;
}
