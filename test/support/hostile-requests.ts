import type { HostileCase } from './hostile-files';

/** `{"a":{"a":…{}}}` as JSON text, `levels` objects deep (JSON.stringify overflows long before 5,000). */
export function nestedJson(levels: number): string {
  return `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
}

function nested(levels: number): Record<string, unknown> {
  return JSON.parse(nestedJson(levels)) as Record<string, unknown>;
}

const refused = (message: RegExp) => ({ refused: 400, message });

/**
 * Requests a hostile client sends to POST /v1/tasks: what a worker would refuse without reading a
 * byte is a 400 with a sentence at once (docs/API.md §1), never a 500 and never a task.
 */
export function requestCases(): HostileCase[] {
  return [
    {
      name: 'metadata nested 5,000 levels deep',
      source: () => 'store://uploads/deep.csv',
      rawMetadata: nestedJson(5000),
      expect: refused(
        /^The JSON body nests objects and arrays more than 32 levels deep \(at metadata\.a\.a\.a\.a\.a…\)$/,
      ),
    },
    {
      name: 'metadata nested 17 levels deep',
      source: () => 'store://uploads/deep.csv',
      metadata: nested(17),
      expect: refused(/^metadata nests objects and arrays more than 16 levels deep/),
    },
    {
      name: 'metadata with 5,000 keys',
      source: () => 'store://uploads/wide.csv',
      metadata: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key_${i}`, i])),
      expect: refused(
        /^metadata holds 5000 entries; an object or array in metadata may hold at most 100$/,
      ),
    },
    {
      name: 'an export with a start_time that is not RFC 3339',
      taskType: 'EXPORT',
      source: () => 'store://exports/',
      metadata: { start_time: 'last tuesday' },
      expect: refused(/^metadata\.start_time "last tuesday" is not an RFC 3339 time/),
    },
    {
      name: 'an import from a store bucket that is not configured',
      source: () => 'store://OBJ_secrets/x.csv',
      expect: refused(/^store:\/\/OBJ_secrets\/ is not a bucket of the built-in store/),
    },
    {
      name: "an import from a store key with .. (another environment's object)",
      source: () => 'store://uploads/../env_other/upload_1/events.csv',
      expect: refused(/may not contain \.\.$/),
    },
  ];
}
