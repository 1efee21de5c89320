import { type DataSource } from 'typeorm';

/**
 * The columns a task's listed rows (`task_row_errors`, `task_row_warnings`) have: every key of
 * their original cells, in the file's column order (saved with the checkpoint), keys the file's
 * order does not know last, sorted. The one ordering `/errors` and `/warnings` share.
 */
export async function rowColumnsInFileOrder(
  ds: DataSource,
  table: 'task_row_errors' | 'task_row_warnings',
  taskId: string,
): Promise<string[]> {
  const keys: Array<{ key: string }> = await ds.query(
    `SELECT DISTINCT jsonb_object_keys(raw) AS key FROM ${table} WHERE task_id = $1`,
    [taskId],
  );
  const saved: Array<{ columns: string[] }> = await ds.query(
    'SELECT columns FROM task_checkpoints WHERE task_id = $1 ORDER BY part',
    [taskId],
  );
  const order = new Map<string, number>();
  for (const row of saved) for (const c of row.columns) if (!order.has(c)) order.set(c, order.size);
  return keys
    .map((k) => k.key)
    .sort((a, b) => {
      const x = order.get(a) ?? Number.MAX_SAFE_INTEGER;
      const y = order.get(b) ?? Number.MAX_SAFE_INTEGER;
      return x !== y ? x - y : a < b ? -1 : a > b ? 1 : 0;
    });
}
