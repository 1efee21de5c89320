import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A message committed with the change that caused it, published to JetStream by the relay. */
@Entity({ name: 'outbox' })
export class OutboxEntity {
  /** bigserial: a string, as pg returns int8. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  subject: string;

  /** JetStream `msgID`: a re-publish of the same row is dropped by the stream. */
  @Column({ type: 'text' })
  msg_id: string;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ type: 'jsonb', nullable: true })
  headers: Record<string, string> | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  created_at: Date;

  @Column({ type: 'timestamptz', nullable: true })
  published_at: Date | null;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'text', nullable: true })
  last_error: string | null;
}
