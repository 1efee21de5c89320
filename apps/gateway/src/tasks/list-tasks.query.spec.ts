import { ErrorCode, FerryError } from '@ferry/contracts';

import { createValidationPipe } from '../errors/validation.pipe';
import { ListTasksQuery } from './list-tasks.query';

/** What Express hands the pipe for `GET /v1/tasks?…`: strings, or arrays for repeated params. */
type RawQuery = Record<string, string | string[]>;

const pipe = createValidationPipe();
const parse = (query: RawQuery): Promise<ListTasksQuery> =>
  pipe.transform(query, { type: 'query', metatype: ListTasksQuery, data: '' });

const DEFAULTS = {
  limit: 50,
  offset: 0,
  status: 'published',
  sort: 'created_at',
  order: 'desc',
};

async function rejection(query: RawQuery): Promise<FerryError> {
  const err: unknown = await parse(query).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof FerryError)) {
    throw new Error(`expected a FerryError for ${JSON.stringify(query)}, got ${String(err)}`);
  }
  return err;
}

describe('ListTasksQuery through the global validation pipe', () => {
  it('applies every default to an empty query', async () => {
    const q = await parse({});
    expect(q).toBeInstanceOf(ListTasksQuery);
    expect({ ...q }).toEqual(DEFAULTS);
  });

  it.each<[string, RawQuery, Record<string, unknown>]>([
    ['task_type IMPORT', { task_type: 'IMPORT' }, { task_type: 'IMPORT' }],
    ['task_type EXPORT', { task_type: 'EXPORT' }, { task_type: 'EXPORT' }],
    ['entity_type EVENTS', { entity_type: 'EVENTS' }, { entity_type: 'EVENTS' }],
    ['entity_type PRICES', { entity_type: 'PRICES' }, { entity_type: 'PRICES' }],
    ['entity_type CUSTOMERS', { entity_type: 'CUSTOMERS' }, { entity_type: 'CUSTOMERS' }],
    ['entity_type FEATURES', { entity_type: 'FEATURES' }, { entity_type: 'FEATURES' }],
    ['task_status PENDING', { task_status: 'PENDING' }, { task_status: 'PENDING' }],
    ['task_status PROCESSING', { task_status: 'PROCESSING' }, { task_status: 'PROCESSING' }],
    ['task_status COMPLETED', { task_status: 'COMPLETED' }, { task_status: 'COMPLETED' }],
    ['task_status FAILED', { task_status: 'FAILED' }, { task_status: 'FAILED' }],
    ['status deleted', { status: 'deleted' }, { status: 'deleted' }],
    ['status archived', { status: 'archived' }, { status: 'archived' }],
    ['created_by', { created_by: 'user_01ABC' }, { created_by: 'user_01ABC' }],
    ['scheduled_task_id', { scheduled_task_id: 'sched_1' }, { scheduled_task_id: 'sched_1' }],
    [
      'start_time Z',
      { start_time: '2026-01-31T00:00:00Z' },
      { start_time: '2026-01-31T00:00:00Z' },
    ],
    [
      'end_time with offset and fraction',
      { end_time: '2026-01-31T10:20:30.123+02:00' },
      { end_time: '2026-01-31T10:20:30.123+02:00' },
    ],
    ['leap day', { start_time: '2024-02-29T00:00:00Z' }, { start_time: '2024-02-29T00:00:00Z' }],
    ['limit 1 (lowest)', { limit: '1' }, { limit: 1 }],
    ['limit 1000 (highest)', { limit: '1000' }, { limit: 1000 }],
    ['offset 0', { offset: '0' }, { offset: 0 }],
    ['offset 250', { offset: '250' }, { offset: 250 }],
    ['sort updated_at', { sort: 'updated_at' }, { sort: 'updated_at' }],
    ['sort completed_at', { sort: 'completed_at' }, { sort: 'completed_at' }],
    ['order asc', { order: 'asc' }, { order: 'asc' }],
  ])('accepts %s and fills in the other defaults', async (_name, raw, expected) => {
    const q = await parse(raw);
    expect({ ...q }).toEqual({ ...DEFAULTS, ...expected });
  });

  it('turns limit and offset into numbers, not strings', async () => {
    const q = await parse({ limit: '25', offset: '75' });
    expect(q.limit).toBe(25);
    expect(q.offset).toBe(75);
  });

  it('accepts every filter at once', async () => {
    const raw = {
      task_type: 'IMPORT',
      entity_type: 'CUSTOMERS',
      task_status: 'COMPLETED',
      status: 'archived',
      created_by: 'user_1',
      scheduled_task_id: 'sched_1',
      start_time: '2026-01-01T00:00:00Z',
      end_time: '2026-02-01T00:00:00Z',
      limit: '10',
      offset: '20',
      sort: 'completed_at',
      order: 'asc',
    };
    expect({ ...(await parse(raw)) }).toEqual({ ...raw, limit: 10, offset: 20 });
  });

  it('drops query parameters it does not know rather than passing them on', async () => {
    const q = await parse({ limit: '5', tenant_id: 'tenant_other', '; DROP TABLE tasks': '1' });
    expect({ ...q }).toEqual({ ...DEFAULTS, limit: 5 });
  });

  it.each<[string, RawQuery, string]>([
    ['limit 0', { limit: '0' }, 'limit'],
    ['limit 1001', { limit: '1001' }, 'limit'],
    ['limit abc', { limit: 'abc' }, 'limit'],
    ['limit 1.5', { limit: '1.5' }, 'limit'],
    ['limit -5', { limit: '-5' }, 'limit'],
    ['limit empty', { limit: '' }, 'limit'],
    ['offset -1', { offset: '-1' }, 'offset'],
    ['offset 2.5', { offset: '2.5' }, 'offset'],
    ['offset abc', { offset: 'abc' }, 'offset'],
    ['task_type unknown', { task_type: 'SYNC' }, 'task_type'],
    ['task_type lower case', { task_type: 'import' }, 'task_type'],
    ['entity_type unknown', { entity_type: 'INVOICES' }, 'entity_type'],
    ['entity_type lower case', { entity_type: 'events' }, 'entity_type'],
    ['task_status unknown', { task_status: 'RUNNING' }, 'task_status'],
    ['task_status lower case', { task_status: 'pending' }, 'task_status'],
    ['status unknown', { status: 'active' }, 'status'],
    ['status upper case', { status: 'PUBLISHED' }, 'status'],
    ['status empty', { status: '' }, 'status'],
    ['sort unknown column', { sort: 'tenant_id' }, 'sort'],
    ['sort with direction', { sort: 'created_at desc' }, 'sort'],
    ['order upper case', { order: 'DESC' }, 'order'],
    ['order unknown', { order: 'newest' }, 'order'],
    ['start_time date only', { start_time: '2026-01-31' }, 'start_time'],
    ['start_time without offset', { start_time: '2026-01-31T00:00:00' }, 'start_time'],
    ['start_time words', { start_time: 'yesterday' }, 'start_time'],
    ['start_time epoch seconds', { start_time: '1769817600' }, 'start_time'],
    ['start_time hour 25', { start_time: '2026-01-31T25:00:00Z' }, 'start_time'],
    ['start_time no such day', { start_time: '2026-02-30T00:00:00Z' }, 'start_time'],
    ['start_time 31 April', { start_time: '2026-04-31T00:00:00Z' }, 'start_time'],
    ['end_time leap second', { end_time: '2026-01-31T23:59:60Z' }, 'end_time'],
    ['end_time not RFC 3339', { end_time: 'Sat, 31 Jan 2026 00:00:00 GMT' }, 'end_time'],
    ['created_by longer than 255', { created_by: 'u'.repeat(256) }, 'created_by'],
    ['repeated limit', { limit: ['10', '20'] }, 'limit'],
    ['repeated task_type', { task_type: ['IMPORT', 'EXPORT'] }, 'task_type'],
    ['repeated status', { status: ['published', 'deleted'] }, 'status'],
    ['repeated created_by', { created_by: ['user_1', 'user_2'] }, 'created_by'],
    [
      'repeated start_time',
      { start_time: ['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'] },
      'start_time',
    ],
    ['repeated order', { order: ['asc', 'desc'] }, 'order'],
  ])('refuses %s as a validation_error naming the field', async (_name, raw, field) => {
    const err = await rejection(raw);
    expect(err.code).toBe(ErrorCode.VALIDATION);
    expect(err.httpStatus).toBe(400);
    const fields = err.details['fields'] as Record<string, string[]>;
    expect(Object.keys(fields)).toEqual([field]);
    expect(fields[field].length).toBeGreaterThan(0);
    expect(err.message).toContain(field);
    expect(err.toBody()).toMatchObject({
      code: 'validation_error',
      message: err.message,
      http_status_code: 400,
      details: { fields },
    });
  });

  it('names every bad field when several are wrong', async () => {
    const err = await rejection({
      limit: '0',
      order: 'sideways',
      task_type: 'import',
      offset: '1',
    });
    const fields = err.details['fields'] as Record<string, string[]>;
    expect(Object.keys(fields).sort()).toEqual(['limit', 'order', 'task_type']);
  });

  it('gives the same answer every time for the same bad input', async () => {
    const first = await rejection({ limit: '1001' });
    const second = await rejection({ limit: '1001' });
    expect(second.toBody()).toEqual(first.toBody());
  });
});
