// A paged table of an import's rows by line — line number, what was said of it, and the row's
// original cells — over a JSON page of `GET /v1/tasks/{id}/errors` or `/warnings` (docs/API.md
// §1): `{columns, items: [{row_number, …, cells}], total, next_after_row}`, paged by line
// (`after_row`), so a task with a million such rows still shows its first page at once.
// rejected-rows.js and warnings.js are this with their columns.
import { api, qs } from '../lib/api.js';
import { button, el, fmt } from '../lib/dom.js';

const PAGE = 25;

/**
 * `spec`: `{id, title, path, noun, none, count(task), columns: [[header, item → text, class]]}`;
 * `id` names the section's elements (`#<id>-rows`, `#<id>-prev`, `#<id>-next`).
 */
export function rowPages(spec, task) {
  const { id } = spec;
  const section = el('section', { id, 'aria-labelledby': `${id}-h` });
  const heading = el('h3', { id: `${id}-h` }, spec.title);
  const note = el('p', { class: 'hint', 'aria-live': 'polite' });
  const holder = el('div', {
    class: 'scroll',
    tabindex: 0,
    role: 'region',
    'aria-label': `${spec.title} table`,
  });
  const cursors = [0]; // after_row of each page seen, for "previous"
  let page = 0;
  let shownCount = -1;
  const prev = button('Previous rows', () => show(page - 1), { id: `${id}-prev` });
  const next = button('Next rows', () => show(page + 1), { id: `${id}-next` });
  const pager = el('nav', { class: 'pager', 'aria-label': `${spec.title} pages` }, prev, next);
  section.append(heading, note, holder, pager);

  async function show(n) {
    let body;
    try {
      body = await api(
        `/v1/tasks/${encodeURIComponent(task.id)}/${spec.path}?${qs({ limit: PAGE, after_row: cursors[n] })}`,
        { headers: { accept: 'application/json' } },
      );
    } catch (err) {
      note.textContent = `The ${spec.noun} could not be read: ${err.message}`;
      return;
    }
    page = n;
    if (body.next_after_row != null) cursors[n + 1] = body.next_after_row;
    prev.hidden = n === 0;
    next.hidden = body.next_after_row == null;
    if (body.items.length === 0) {
      note.textContent = spec.none;
      holder.replaceChildren();
      holder.hidden = true;
      return;
    }
    holder.hidden = false;
    const first = n * PAGE + 1;
    note.textContent = `Rows ${fmt(first)}–${fmt(first + body.items.length - 1)} of ${fmt(body.total)} ${spec.noun}, by line (the header is line 1).`;
    const cols = ['Line', ...spec.columns.map((c) => c[0]), ...body.columns];
    const t = el(
      'table',
      { class: 'cells', id: `${id}-rows` },
      el('caption', { class: 'visually-hidden' }, `${spec.title} with their original cells`),
      el('thead', {}, el('tr', {}, ...cols.map((c) => el('th', { scope: 'col' }, c)))),
      el(
        'tbody',
        {},
        ...body.items.map((r) =>
          el(
            'tr',
            { 'data-row': r.row_number },
            el('th', { scope: 'row' }, String(r.row_number)),
            ...spec.columns.map(([, text, cls]) => el('td', { class: cls }, text(r))),
            ...body.columns.map((c) => el('td', {}, r.cells[c] ?? '')),
          ),
        ),
      ),
    );
    holder.replaceChildren(t);
  }

  return {
    element: section,
    /** Called with each new state of the task: a new count reloads page one. */
    update(t) {
      task = t;
      const count = spec.count(t);
      if (count === shownCount) return;
      shownCount = count;
      cursors.length = 1;
      show(0);
    },
  };
}
