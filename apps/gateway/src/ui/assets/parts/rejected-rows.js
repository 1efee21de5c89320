// A task page section: the import's rejected rows as a paged table — line number, code, message
// and the row's original cells — from `GET /v1/tasks/{id}/errors` as JSON pages (docs/API.md §1
// "Rejected rows"), paged by line (`after_row`), so a task with a million rejected rows still
// shows its first page at once. The warnings table (issue 13) is the same shape over /warnings.
import { api, qs } from '../lib/api.js';
import { button, el, fmt } from '../lib/dom.js';

const PAGE = 25;

export const title = 'Rejected rows';

/** Shown for imports; `update(task)` reloads when the count moves. */
export function applies(task) {
  return task.task_type === 'IMPORT';
}

export function create(task) {
  const section = el('section', { id: 'rejected', 'aria-labelledby': 'rejected-h' });
  const heading = el('h3', { id: 'rejected-h' }, title);
  const note = el('p', { class: 'hint', 'aria-live': 'polite' });
  const holder = el('div', {
    class: 'scroll',
    tabindex: 0,
    role: 'region',
    'aria-label': 'Rejected rows table',
  });
  const cursors = [0]; // after_row of each page seen, for "previous"
  let page = 0;
  let shownCount = -1;
  const prev = button('Previous rows', () => show(page - 1), { id: 'rejected-prev' });
  const next = button('Next rows', () => show(page + 1), { id: 'rejected-next' });
  const pager = el('nav', { class: 'pager', 'aria-label': 'Rejected rows pages' }, prev, next);
  section.append(heading, note, holder, pager);

  async function show(n) {
    let body;
    try {
      body = await api(
        `/v1/tasks/${encodeURIComponent(task.id)}/errors?${qs({ limit: PAGE, after_row: cursors[n] })}`,
        { headers: { accept: 'application/json' } },
      );
    } catch (err) {
      note.textContent = `The rejected rows could not be read: ${err.message}`;
      return;
    }
    page = n;
    if (body.next_after_row != null) cursors[n + 1] = body.next_after_row;
    prev.hidden = n === 0;
    next.hidden = body.next_after_row == null;
    if (body.items.length === 0) {
      note.textContent = 'No row was rejected.';
      holder.replaceChildren();
      holder.hidden = true;
      return;
    }
    holder.hidden = false;
    const first = n * PAGE + 1;
    note.textContent = `Rows ${fmt(first)}–${fmt(first + body.items.length - 1)} of ${fmt(body.total)} rejected, by line (the header is line 1).`;
    const cols = ['Line', 'Code', 'Message', ...body.columns];
    const t = el(
      'table',
      { class: 'cells', id: 'rejected-rows' },
      el('caption', { class: 'visually-hidden' }, 'Rejected rows with their original cells'),
      el('thead', {}, el('tr', {}, ...cols.map((c) => el('th', { scope: 'col' }, c)))),
      el(
        'tbody',
        {},
        ...body.items.map((r) =>
          el(
            'tr',
            { 'data-row': r.row_number },
            el('th', { scope: 'row' }, String(r.row_number)),
            el('td', { class: 'code' }, r.error_code),
            el('td', { class: 'message' }, r.error_message),
            ...body.columns.map((c) => el('td', {}, r.cells[c] ?? '')),
          ),
        ),
      ),
    );
    holder.replaceChildren(t);
  }

  return {
    element: section,
    /** Called with each new state of the task: a new count of rejected rows reloads page one. */
    update(t) {
      task = t;
      if (t.failed_records === shownCount) return;
      shownCount = t.failed_records;
      cursors.length = 1;
      show(0);
    },
  };
}
