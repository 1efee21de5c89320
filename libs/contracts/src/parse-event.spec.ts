import { EntityType, FileType, TaskType } from './enums';
import { ErrorCode } from './error-codes';
import { FerryError } from './ferry.error';
import { TaskCreatedEvent } from './messages/task-created.event';
import { TaskStatusEvent } from './messages/task-status.event';
import { parseEvent } from './parse-event';

const valid = (): Record<string, unknown> => ({
  task_id: 'task_01JABCDEFGHJKMNPQRSTVWXYZ0',
  tenant_id: 'tenant_1',
  environment_id: 'env_1',
  task_type: TaskType.IMPORT,
  entity_type: EntityType.EVENTS,
  file_type: FileType.CSV,
  file_url: 'https://example.com/events.csv',
  metadata: { note: 'x' },
  attempt: 0,
});

function rejection(cls: new () => object, data: unknown): FerryError {
  try {
    parseEvent(cls, data);
  } catch (err) {
    expect(err).toBeInstanceOf(FerryError);
    return err as FerryError;
  }
  throw new Error(`parseEvent accepted ${JSON.stringify(data)}`);
}

describe('parseEvent(TaskCreatedEvent)', () => {
  it('accepts a valid event and returns an instance of the class with its fields', () => {
    const event = parseEvent(TaskCreatedEvent, { ...valid(), created_by: 'user_1' });
    expect(event).toBeInstanceOf(TaskCreatedEvent);
    expect(event).toEqual(expect.objectContaining({ ...valid(), created_by: 'user_1' }));
  });

  it('accepts a retry (attempt > 0) and an event without the optional created_by', () => {
    expect(parseEvent(TaskCreatedEvent, { ...valid(), attempt: 3 }).attempt).toBe(3);
    expect(parseEvent(TaskCreatedEvent, valid()).created_by).toBeUndefined();
  });

  it.each([
    'task_id',
    'tenant_id',
    'environment_id',
    'task_type',
    'entity_type',
    'file_type',
    'file_url',
    'metadata',
    'attempt',
  ])(
    'rejects an event without %s, naming the field, as a non-retryable validation error',
    (field) => {
      const data = valid();
      delete data[field];
      const err = rejection(TaskCreatedEvent, data);
      expect(err.code).toBe(ErrorCode.VALIDATION);
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(/^malformed TaskCreatedEvent: /);
      expect(err.message).toContain(field);
    },
  );

  it.each<[string, unknown]>([
    ['task_id', 42],
    ['task_type', 'import'],
    ['entity_type', 'ORDERS'],
    ['file_type', 'XML'],
    ['file_url', null],
    ['metadata', 'x'],
    ['metadata', null],
    ['attempt', -1],
    ['attempt', 1.5],
    ['attempt', '0'],
    ['created_by', 7],
  ])('rejects %s = %j', (field, value) => {
    const err = rejection(TaskCreatedEvent, { ...valid(), [field]: value });
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(field);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'task_01'],
    ['a number', 42],
    ['a boolean', true],
    ['an array', [valid()]],
  ])('rejects %s', (_name, data) => {
    const err = rejection(TaskCreatedEvent, data);
    expect(err.code).toBe(ErrorCode.VALIDATION);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^malformed TaskCreatedEvent: /);
  });
});

describe('parseEvent(TaskStatusEvent)', () => {
  const status = {
    task_id: 'task_1',
    kind: 'progress',
    seq: 3,
    at: '2025-01-02T03:04:05.000Z',
    counters: {
      processed_records: 10,
      successful_records: 9,
      failed_records: 1,
      total_records: null,
    },
  };

  it('accepts a valid event with nested counters', () => {
    const event = parseEvent(TaskStatusEvent, status);
    expect(event.counters.processed_records).toBe(10);
  });

  it('validates the nested counters and the kind', () => {
    const badCounters = { ...status, counters: { ...status.counters, failed_records: -1 } };
    expect(rejection(TaskStatusEvent, badCounters).message).toMatch(/failed_records/);
    expect(rejection(TaskStatusEvent, { ...status, kind: 'done' }).message).toMatch(/kind/);
    expect(rejection(TaskStatusEvent, { ...status, seq: 0 }).message).toMatch(/seq/);
  });
});
