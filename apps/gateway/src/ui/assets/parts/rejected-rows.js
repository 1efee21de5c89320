// A task page section: the import's rejected rows as a paged table — line number, code, message
// and the row's original cells — from `GET /v1/tasks/{id}/errors` as JSON pages (docs/API.md §1
// "Rejected rows"), through row-pages.js.
import { rowPages } from './row-pages.js';

export const title = 'Rejected rows';

/** Shown for imports; `update(task)` reloads when the count moves. */
export function applies(task) {
  return task.task_type === 'IMPORT';
}

export function create(task) {
  return rowPages(
    {
      id: 'rejected',
      title,
      path: 'errors',
      noun: 'rejected',
      none: 'No row was rejected.',
      count: (t) => t.failed_records,
      columns: [
        ['Code', (r) => r.error_code, 'code'],
        ['Message', (r) => r.error_message, 'message'],
      ],
    },
    task,
  );
}
