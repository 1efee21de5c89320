import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An imported usage event. Written in bulk with COPY, so the table carries only its primary key
 * (which also makes a repeated `event_id` in the environment a duplicate).
 */
@Entity({ name: 'events' })
export class EventEntity {
  @PrimaryColumn({ type: 'text' })
  environment_id: string;

  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  tenant_id: string;

  @Column({ type: 'text' })
  event_name: string;

  @Column({ type: 'text' })
  external_customer_id: string;

  @Column({ type: 'text', nullable: true })
  customer_id: string | null;

  @Column({ type: 'timestamptz' })
  timestamp: Date;

  @Column({ type: 'text', nullable: true })
  source: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  properties: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  task_id: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  ingested_at: Date;
}
