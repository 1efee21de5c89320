import { Column, Entity, PrimaryColumn } from 'typeorm';

import { RowErrorCode } from '@ferry/contracts';

import { bigintTransformer } from '../bigint.transformer';

/** A rejected row of an import, served by `GET /v1/tasks/{id}/errors`. */
@Entity({ name: 'task_row_errors' })
export class TaskRowErrorEntity {
  @PrimaryColumn({ type: 'text' })
  task_id: string;

  @Column({ type: 'int', default: 0 })
  part: number;

  /** The row's line in the file (header = line 1). */
  @PrimaryColumn({ type: 'bigint', transformer: bigintTransformer })
  row_number: number;

  @Column({ type: 'text' })
  error_code: RowErrorCode;

  @Column({ type: 'text' })
  error_message: string;

  @Column({ type: 'jsonb' })
  raw: Record<string, string>;
}
