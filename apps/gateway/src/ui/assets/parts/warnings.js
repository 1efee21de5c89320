// A task page section: the import's warned rows — read with a leniency (docs/FORMATS.md §1: a
// short or long row, trimmed blanks, a stray quote, an ignored cell) and imported — as a paged
// table from `GET /v1/tasks/{id}/warnings` as JSON pages (docs/API.md §1), through row-pages.js.
import { rowPages } from './row-pages.js';

export const title = 'Warnings';

const count = (t) => Number(t.metadata?.warnings ?? 0);

/** Shown for an import once it has a warning (most have none: no empty section then). */
export function applies(task) {
  return task.task_type === 'IMPORT' && count(task) > 0;
}

export function create(task) {
  return rowPages(
    {
      id: 'warnings',
      title,
      path: 'warnings',
      noun: 'warned (imported as read)',
      none: 'No row was warned.',
      count,
      columns: [['Warning', (r) => r.warning_message]],
    },
    task,
  );
}
