import {
  EntityType,
  FileType,
  type TaskProjection,
  TaskStatus,
  type TaskStatusEvent,
  TaskType,
} from '@ferry/contracts';
import { caseEvent, expectedTask, givenTask, PROJECTION_CASES } from '@ferry/contracts/testing';
import type { TaskEntity } from '@ferry/persistence';

import type { TaskResponse } from '../tasks/task-response';
import { TaskProgress } from './task-progress';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function row(over: Partial<TaskEntity> = {}): TaskEntity {
  return {
    id: 'task_1',
    tenant_id: 'tenant_1',
    environment_id: 'env_1',
    task_type: TaskType.IMPORT,
    entity_type: EntityType.EVENTS,
    file_type: FileType.CSV,
    file_url: 'http://x/y.csv',
    file_name: null,
    task_status: TaskStatus.PENDING,
    total_records: null,
    processed_records: 0,
    successful_records: 0,
    failed_records: 0,
    error_summary: null,
    metadata: {},
    started_at: null,
    completed_at: null,
    failed_at: null,
    created_at: new Date(T0),
    updated_at: new Date(T0),
    last_seq: 0,
    ...over,
  } as TaskEntity;
}

const ev = (
  seq: number,
  kind: TaskStatusEvent['kind'],
  processed: number,
  extra: Partial<TaskStatusEvent> = {},
): TaskStatusEvent => ({
  task_id: 'task_1',
  seq,
  kind,
  at: new Date(T0 + seq * 1000).toISOString(),
  counters: {
    processed_records: processed,
    successful_records: processed,
    failed_records: 0,
    total_records: null,
  },
  ...extra,
});

describe('TaskProgress', () => {
  it('moves with newer events only and keeps COMPLETED final', () => {
    const p = new TaskProgress(row(), T0);
    expect(p.applyEvent(ev(1, 'started', 0), T0 + 1000)).toBe(true);
    expect(p.applyEvent(ev(2, 'progress', 500), T0 + 2000)).toBe(true);
    expect(p.applyEvent(ev(2, 'progress', 500), T0 + 2100)).toBe(false);
    expect(p.applyEvent(ev(1, 'progress', 100), T0 + 2200)).toBe(false);
    expect(
      p.applyEvent(
        ev(3, 'completed', 1000, {
          counters: {
            processed_records: 1000,
            successful_records: 990,
            failed_records: 10,
            total_records: 1000,
          },
          error_summary: 'row 2: bad',
        }),
        T0 + 3000,
      ),
    ).toBe(true);
    expect(p.applyEvent(ev(4, 'failed', 1000), T0 + 4000)).toBe(false);
    const s = p.snapshot(T0 + 5000);
    expect(s.task).toMatchObject({
      task_status: 'COMPLETED',
      processed_records: 1000,
      failed_records: 10,
      total_records: 1000,
      error_summary: 'row 2: bad',
    });
    expect(s).toMatchObject({ seq: 3, percent: 100, eta_seconds: 0 });
    // Whole-run average once ended: 1000 rows from started (seq 1 at T0+1s) to completed (T0+3s).
    expect(s.rows_per_second).toBe(500);
  });

  it('takes a row that ended (a cancel) even without a newer seq, but not a row that lags', () => {
    const p = new TaskProgress(
      row({ task_status: TaskStatus.PROCESSING, last_seq: 5, processed_records: 100 }),
      T0,
    );
    expect(p.applyEvent(ev(6, 'progress', 200), T0 + 1000)).toBe(true);
    expect(
      p.applyRow(
        row({ task_status: TaskStatus.PROCESSING, last_seq: 5, processed_records: 100 }),
        T0 + 2000,
      ),
    ).toBe(false);
    expect(
      p.applyRow(
        row({
          task_status: TaskStatus.FAILED,
          last_seq: 5,
          processed_records: 100,
          error_summary: 'cancelled',
        }),
        T0 + 3000,
      ),
    ).toBe(true);
    expect(p.snapshot().task).toMatchObject({
      task_status: 'FAILED',
      processed_records: 200,
      error_summary: 'cancelled',
    });
    expect(p.isFinal).toBe(true);
  });

  it('gives percent and ETA only with a total, and no rate before two samples', () => {
    const p = new TaskProgress(row({ task_status: TaskStatus.PROCESSING }), T0);
    expect(p.snapshot(T0)).toMatchObject({
      percent: null,
      eta_seconds: null,
      rows_per_second: null,
    });
    p.applyEvent(
      ev(1, 'progress', 1000, {
        counters: {
          processed_records: 1000,
          successful_records: 1000,
          failed_records: 0,
          total_records: 4000,
        },
      }),
      T0 + 1000,
    );
    expect(p.snapshot(T0 + 1000)).toMatchObject({
      percent: 25,
      rows_per_second: 1000,
      eta_seconds: 3,
    });
    const empty = new TaskProgress(
      row({ task_status: TaskStatus.COMPLETED, total_records: 0 }),
      T0,
    );
    expect(empty.snapshot(T0).percent).toBe(100);
  });

  describe('applies the projection rules (the shared case table)', () => {
    const date = (iso: string | null) => (iso === null ? null : new Date(iso));
    /** What the live view shows of the fields the projection moves. */
    const shown = (t: TaskResponse, seq: number): TaskProjection => ({
      task_status: t.task_status as TaskStatus,
      last_seq: seq,
      processed_records: t.processed_records,
      successful_records: t.successful_records,
      failed_records: t.failed_records,
      total_records: t.total_records,
      error_summary: t.error_summary,
      metadata: t.metadata,
      file_url: t.file_url,
      started_at: t.started_at,
      completed_at: t.completed_at,
      failed_at: t.failed_at,
    });

    it.each(PROJECTION_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const g = givenTask(c);
      const p = new TaskProgress(
        row({
          ...g,
          started_at: date(g.started_at),
          completed_at: date(g.completed_at),
          failed_at: date(g.failed_at),
        }),
        T0,
      );
      expect(p.applyEvent(caseEvent(c, 'task_1'), T0 + 60_000)).toBe(c.applied);
      const { task, seq } = p.snapshot(T0 + 60_000);
      expect(shown(task, seq)).toEqual(expectedTask(c));
    });
  });
});
