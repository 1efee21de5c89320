/**
 * Bounds on the shape of a parsed JSON value: how deep it nests and how many entries one object or
 * array holds. The walk keeps its own stack instead of recursing, so it is safe on exactly the
 * values it exists to refuse (a body nested 5,000 levels deep overflows a recursive walk, such as
 * class-transformer's or a canonical JSON hash).
 */
export interface JsonShapeLimits {
  /** Levels of objects and arrays, the value itself being level 1 (`{"a":{}}` is 2). */
  maxDepth: number;
  /** Entries of one object (keys) or one array (items); no bound when left out. */
  maxEntries?: number;
}

export type JsonShapeProblem =
  | { kind: 'depth'; path: string; limit: number }
  | { kind: 'entries'; path: string; entries: number; limit: number };

interface Frame {
  value: object;
  depth: number;
  parent: Frame | null;
  /** How the parent reaches this value: `.key` or `[3]`. */
  step: string;
}

/** Path segments shown before a long path is cut (a 5,000-level path is not a useful message). */
const SHOWN_STEPS = 6;

/**
 * The first place (in document order) where `value` breaks `limits`, with its path from `root`
 * (`metadata.a[2].b`; '' for a whole body); null if there is none.
 */
export function findJsonShapeProblem(
  value: unknown,
  limits: JsonShapeLimits,
  root: string,
): JsonShapeProblem | null {
  if (!isContainer(value)) return null;
  const stack: Frame[] = [{ value, depth: 1, parent: null, step: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > limits.maxDepth) {
      return { kind: 'depth', path: pathOf(frame, root), limit: limits.maxDepth };
    }
    const entries = Array.isArray(frame.value)
      ? frame.value.map((v, i) => [`[${i}]`, v] as const)
      : Object.keys(frame.value).map(
          (k) => [stepOf(k), (frame.value as Record<string, unknown>)[k]] as const,
        );
    if (limits.maxEntries !== undefined && entries.length > limits.maxEntries) {
      return {
        kind: 'entries',
        path: pathOf(frame, root),
        entries: entries.length,
        limit: limits.maxEntries,
      };
    }
    // Pushed last to first, so the walk visits (and reports) in document order.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [step, child] = entries[i];
      if (isContainer(child))
        stack.push({ value: child, depth: frame.depth + 1, parent: frame, step });
    }
  }
  return null;
}

function isContainer(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

function stepOf(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function pathOf(frame: Frame, root: string): string {
  const steps: string[] = [];
  for (let f: Frame | null = frame; f && f.parent; f = f.parent) steps.push(f.step);
  steps.reverse();
  const shown =
    steps.length <= SHOWN_STEPS ? steps.join('') : `${steps.slice(0, SHOWN_STEPS).join('')}…`;
  const path = root + shown;
  return path.startsWith('.') ? path.slice(1) : path || '(the top level)';
}

/** The sentence for a shape problem of `what` (`metadata`, `the JSON body`). */
export function describeJsonShapeProblem(problem: JsonShapeProblem, what: string): string {
  switch (problem.kind) {
    case 'depth':
      return `${what} nests objects and arrays more than ${problem.limit} levels deep (at ${problem.path})`;
    case 'entries':
      return `${problem.path} holds ${problem.entries} entries; an object or array in ${what} may hold at most ${problem.limit}`;
  }
}
