import { describeJsonShapeProblem, findJsonShapeProblem } from './json-shape.check';

/** `{"a":{"a":…{}}}`, `levels` objects deep, built without recursion. */
function nested(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let at = root;
  for (let i = 1; i < levels; i++) {
    const next: Record<string, unknown> = {};
    at['a'] = next;
    at = next;
  }
  return root;
}

describe('findJsonShapeProblem', () => {
  it('passes scalars, empty containers and values within the bounds', () => {
    for (const v of [null, 1, 'x', true, {}, [], nested(4), { a: [1, { b: [2] }] }]) {
      expect(findJsonShapeProblem(v, { maxDepth: 4, maxEntries: 3 }, 'm')).toBeNull();
    }
  });

  it('counts the value itself as level 1, arrays as levels too', () => {
    expect(findJsonShapeProblem(nested(3), { maxDepth: 3 }, 'm')).toBeNull();
    expect(findJsonShapeProblem(nested(4), { maxDepth: 3 }, 'm')).toEqual({
      kind: 'depth',
      path: 'm.a.a.a',
      limit: 3,
    });
    expect(findJsonShapeProblem({ x: [[1]] }, { maxDepth: 2 }, 'm')).toEqual({
      kind: 'depth',
      path: 'm.x[0]',
      limit: 2,
    });
  });

  it('walks 100,000 levels without a stack overflow, and cuts the path it shows', () => {
    const deep: unknown[] = [];
    let at = deep;
    for (let i = 0; i < 100_000; i++) {
      const next: unknown[] = [];
      at.push(next);
      at = next;
    }
    const problem = findJsonShapeProblem(deep, { maxDepth: 32 }, '');
    expect(problem).toEqual({ kind: 'depth', path: '[0][0][0][0][0][0]…', limit: 32 });
  });

  it('bounds the entries of an object and of an array, and reports the first in document order', () => {
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    expect(
      findJsonShapeProblem({ first: [1, 2, 3, 4], wide }, { maxDepth: 8, maxEntries: 3 }, 'm'),
    ).toEqual({ kind: 'entries', path: 'm.first', entries: 4, limit: 3 });
    expect(findJsonShapeProblem(wide, { maxDepth: 8, maxEntries: 100 }, 'm')).toEqual({
      kind: 'entries',
      path: 'm',
      entries: 5000,
      limit: 100,
    });
  });

  it('quotes keys that are not identifiers in the path', () => {
    expect(findJsonShapeProblem({ 'a b': { '0': {} } }, { maxDepth: 2 }, 'm')?.path).toBe(
      'm["a b"]["0"]',
    );
  });

  it('says what is wrong in a sentence', () => {
    expect(
      describeJsonShapeProblem({ kind: 'depth', path: 'metadata.a.a…', limit: 16 }, 'metadata'),
    ).toBe('metadata nests objects and arrays more than 16 levels deep (at metadata.a.a…)');
    expect(
      describeJsonShapeProblem(
        { kind: 'entries', path: 'metadata.tags', entries: 5000, limit: 100 },
        'metadata',
      ),
    ).toBe('metadata.tags holds 5000 entries; an object or array in metadata may hold at most 100');
  });
});
