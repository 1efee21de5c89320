import { EntityType, TaskType } from '../enums';
import { ErrorCode } from '../error-codes';
import { FerryError } from '../ferry.error';
import { checkTaskMetadata, TASK_METADATA_LIMITS } from './task-metadata.check';

const exportOf = (metadata: Record<string, unknown>, entity = EntityType.EVENTS) => ({
  task_type: TaskType.EXPORT,
  entity_type: entity,
  metadata,
});
const importOf = (metadata: Record<string, unknown>) => ({
  task_type: TaskType.IMPORT,
  entity_type: EntityType.EVENTS,
  metadata,
});

function refusal(task: Parameters<typeof checkTaskMetadata>[0]): FerryError {
  try {
    checkTaskMetadata(task);
  } catch (e) {
    if (e instanceof FerryError) return e;
    throw e;
  }
  throw new Error('accepted');
}

function nested(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let at = root;
  for (let i = 1; i < levels; i++) at = at['a'] = {};
  return root;
}

describe('checkTaskMetadata', () => {
  it('accepts no metadata, free keys, and metadata at each bound', () => {
    expect(() => checkTaskMetadata({ ...importOf({}), metadata: undefined })).not.toThrow();
    expect(() =>
      checkTaskMetadata(
        importOf({ source: 'crm', nested: { a: [1, 2], b: null }, start_time: 'x' }),
      ),
    ).not.toThrow();
    expect(() => checkTaskMetadata(importOf(nested(TASK_METADATA_LIMITS.maxDepth)))).not.toThrow();
    const widest = Object.fromEntries(
      Array.from({ length: TASK_METADATA_LIMITS.maxEntries }, (_, i) => [`k${i}`, i]),
    );
    expect(() => checkTaskMetadata(importOf(widest))).not.toThrow();
  });

  it('refuses metadata nested deeper than the bound (5,000 levels included), in a sentence', () => {
    for (const levels of [TASK_METADATA_LIMITS.maxDepth + 1, 5000]) {
      const err = refusal(importOf(nested(levels)));
      expect(err.code).toBe(ErrorCode.VALIDATION);
      expect(err.message).toBe(
        'metadata nests objects and arrays more than 16 levels deep (at metadata.a.a.a.a.a.a…)',
      );
      expect(err.details).toEqual({ fields: { metadata: [err.message] } });
    }
  });

  it('refuses 5,000 keys, and a long array inside', () => {
    const keys = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    expect(refusal(importOf(keys)).message).toBe(
      'metadata holds 5000 entries; an object or array in metadata may hold at most 100',
    );
    expect(refusal(exportOf({ tags: Array.from({ length: 101 }, () => 't') })).message).toBe(
      'metadata.tags holds 101 entries; an object or array in metadata may hold at most 100',
    );
  });

  it('refuses metadata longer than the bound as JSON', () => {
    const err = refusal(importOf({ note: 'x'.repeat(TASK_METADATA_LIMITS.maxChars) }));
    expect(err.message).toBe(
      `metadata is ${TASK_METADATA_LIMITS.maxChars + 11} characters of JSON; it may be at most ${TASK_METADATA_LIMITS.maxChars}`,
    );
  });

  it("runs an export's selection and an import's max_errors, each only on its task type", () => {
    expect(refusal(exportOf({ start_time: 'yesterday' })).details).toEqual({
      fields: { 'metadata.start_time': [expect.stringMatching(/"yesterday" is not an RFC 3339/)] },
    });
    expect(refusal(exportOf({ event_name: 'a' }, EntityType.PRICES)).message).toBe(
      'metadata.event_name does not apply to an export of PRICES',
    );
    expect(refusal(importOf({ max_errors: -1 })).message).toBe(
      'metadata.max_errors must be a whole number of 0 or more, not -1',
    );
    // An import reads no selection, an export no max_errors: those keys are free there.
    expect(() =>
      checkTaskMetadata(importOf({ start_time: 'yesterday', compression: 'zip' })),
    ).not.toThrow();
    expect(() => checkTaskMetadata(exportOf({ max_errors: 'lots' }))).not.toThrow();
  });
});
