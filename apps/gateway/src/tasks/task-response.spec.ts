import { EntityType, FileType, RecordStatus, TaskStatus, TaskType } from '@ferry/contracts';
import { TaskEntity } from '@ferry/persistence';

import { toTaskResponse } from './task-response';

/** The TaskResponse fields of docs/API.md §1, in its order. */
const SPEC_FIELDS = [
  'id',
  'task_type',
  'entity_type',
  'file_url',
  'file_name',
  'file_type',
  'task_status',
  'total_records',
  'processed_records',
  'successful_records',
  'failed_records',
  'error_summary',
  'metadata',
  'started_at',
  'completed_at',
  'failed_at',
  'tenant_id',
  'environment_id',
  'status',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
  'workflow_id',
  'scheduled_task_id',
];

function entity(over: Partial<TaskEntity> = {}): TaskEntity {
  return Object.assign(new TaskEntity(), {
    id: 'task_01JABCDEFGHJKMNPQRSTVWXYZ0',
    tenant_id: 'tenant_1',
    environment_id: 'env_1',
    task_type: TaskType.IMPORT,
    entity_type: EntityType.EVENTS,
    file_type: FileType.CSV,
    file_url: 'store://uploads/events.csv',
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
    status: RecordStatus.PUBLISHED,
    created_at: new Date('2026-01-31T10:00:00.000Z'),
    updated_at: new Date('2026-01-31T10:00:01.500Z'),
    created_by: null,
    updated_by: null,
    workflow_id: null,
    scheduled_task_id: null,
    // Bookkeeping columns that must never reach the client.
    attempt: 2,
    last_seq: 17,
    idempotency_key: 'client-key-1',
    request_hash: 'abc123',
    ...over,
  });
}

describe('toTaskResponse', () => {
  it('gives exactly the fields of docs/API.md §1 and no bookkeeping columns', () => {
    const body = toTaskResponse(entity());
    expect(Object.keys(body).sort()).toEqual([...SPEC_FIELDS].sort());
    for (const hidden of ['attempt', 'last_seq', 'idempotency_key', 'request_hash']) {
      expect(body).not.toHaveProperty(hidden);
    }
  });

  it('serialises a new task with its empty fields as null, not missing', () => {
    const json = JSON.parse(JSON.stringify(toTaskResponse(entity()))) as Record<string, unknown>;
    expect(json).toEqual({
      id: 'task_01JABCDEFGHJKMNPQRSTVWXYZ0',
      task_type: 'IMPORT',
      entity_type: 'EVENTS',
      file_url: 'store://uploads/events.csv',
      file_name: null,
      file_type: 'CSV',
      task_status: 'PENDING',
      total_records: null,
      processed_records: 0,
      successful_records: 0,
      failed_records: 0,
      error_summary: null,
      metadata: {},
      started_at: null,
      completed_at: null,
      failed_at: null,
      tenant_id: 'tenant_1',
      environment_id: 'env_1',
      status: 'published',
      created_at: '2026-01-31T10:00:00.000Z',
      updated_at: '2026-01-31T10:00:01.500Z',
      created_by: null,
      updated_by: null,
      workflow_id: null,
      scheduled_task_id: null,
    });
  });

  it('turns optional fields the entity left undefined into null', () => {
    const body = toTaskResponse(
      entity({
        file_name: undefined,
        total_records: undefined,
        error_summary: undefined,
        metadata: undefined,
        started_at: undefined,
        created_by: undefined,
        workflow_id: undefined,
      } as unknown as Partial<TaskEntity>),
    );
    const json = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual([...SPEC_FIELDS].sort());
    expect(json).toMatchObject({
      file_name: null,
      total_records: null,
      error_summary: null,
      metadata: {},
      started_at: null,
      created_by: null,
      workflow_id: null,
    });
  });

  it('gives a finished task its counters, summary and every time in ISO 8601 UTC', () => {
    const body = toTaskResponse(
      entity({
        task_type: TaskType.EXPORT,
        entity_type: EntityType.CUSTOMERS,
        file_type: FileType.JSON,
        file_name: 'customers.json',
        task_status: TaskStatus.COMPLETED,
        total_records: 1000,
        processed_records: 1000,
        successful_records: 998,
        failed_records: 2,
        error_summary: 'row 3: email "x" is not valid; row 9: name is required',
        metadata: { duplicates: 4, ignored_columns: ['colour'] },
        started_at: new Date(Date.UTC(2026, 0, 31, 10, 0, 2)),
        completed_at: new Date(Date.UTC(2026, 0, 31, 10, 5, 0, 7)),
        created_by: 'user_1',
        updated_by: 'user_2',
        workflow_id: 'wf_1',
        scheduled_task_id: 'sched_1',
      }),
    );
    expect(body).toMatchObject({
      task_type: 'EXPORT',
      entity_type: 'CUSTOMERS',
      file_type: 'JSON',
      file_name: 'customers.json',
      task_status: 'COMPLETED',
      total_records: 1000,
      processed_records: 1000,
      successful_records: 998,
      failed_records: 2,
      error_summary: 'row 3: email "x" is not valid; row 9: name is required',
      metadata: { duplicates: 4, ignored_columns: ['colour'] },
      started_at: '2026-01-31T10:00:02.000Z',
      completed_at: '2026-01-31T10:05:00.007Z',
      failed_at: null,
      created_by: 'user_1',
      updated_by: 'user_2',
      workflow_id: 'wf_1',
      scheduled_task_id: 'sched_1',
    });
  });

  it('keeps a zero total_records as 0 (known to be empty), not null (unknown)', () => {
    expect(toTaskResponse(entity({ total_records: 0 })).total_records).toBe(0);
  });

  it('gives a failed task its failed_at and reason', () => {
    const body = toTaskResponse(
      entity({
        task_status: TaskStatus.FAILED,
        error_summary: 'The file could not be downloaded: 404 Not Found',
        failed_at: new Date('2026-01-31T11:00:00+02:00'),
      }),
    );
    expect(body.task_status).toBe('FAILED');
    expect(body.failed_at).toBe('2026-01-31T09:00:00.000Z');
    expect(body.completed_at).toBeNull();
    expect(body.error_summary).toBe('The file could not be downloaded: 404 Not Found');
  });
});
