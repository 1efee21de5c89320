import { AsyncLocalStorage } from 'async_hooks';

/** Fields every log line of the current unit of work carries (task_id, tenant_id, …). */
const store = new AsyncLocalStorage<Record<string, string>>();

export function withLogContext<T>(fields: Record<string, string | undefined>, fn: () => T): T {
  const merged = { ...store.getStore() };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) merged[k] = v;
  return store.run(merged, fn);
}

export function logContext(): Record<string, string> {
  return store.getStore() ?? {};
}
