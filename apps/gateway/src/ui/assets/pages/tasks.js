// The task list: real pages (limit/offset, docs/API.md §1 "List"), filters, search by id, created
// time, duration, file name, and a live bar per running task.
import { api, apiEnum, ApiError, followTask, qs } from '../lib/api.js';
import {
  button,
  duration,
  el,
  field,
  FINAL,
  fmt,
  progressBar,
  select,
  statusBadge,
  table,
  taskSeconds,
  timeEl,
} from '../lib/dom.js';

// Browsers allow about six HTTP/1.1 connections per origin; live streams stay below that and the
// other unfinished tasks are refreshed with the list.
const MAX_STREAMS = 4;
const REFRESH_MS = 5000;
const PAGE_SIZES = ['10', '25', '50', '100'];
const COLUMNS = ['Task', 'Type', 'Entity', 'Status', 'Progress', 'Records', 'Created', 'Duration'];

export function render(view, _params, ctx) {
  const q = ctx.query;
  const state = {
    task_type: q.get('task_type') ?? '',
    entity_type: q.get('entity_type') ?? '',
    task_status: q.get('task_status') ?? '',
    scheduled_task_id: q.get('scheduled_task_id') ?? '',
    limit: PAGE_SIZES.includes(q.get('limit')) ? q.get('limit') : '25',
    offset: Math.max(0, Number(q.get('offset')) || 0),
  };
  const streams = new Map(); // task id -> AbortController
  let timer = null;
  let stopped = false;

  const filters = el('form', { id: 'filters', class: 'toolbar', 'aria-label': 'Filters' });
  const selects = {};
  for (const [name, label, enumName] of [
    ['task_type', 'Type', 'TaskType'],
    ['entity_type', 'Entity', 'EntityType'],
    ['task_status', 'Status', 'TaskStatus'],
  ]) {
    const s = select(name, [], { any: 'any' });
    s.dataset.enum = enumName;
    selects[name] = s;
    filters.append(field(label, s));
    apiEnum(enumName).then(
      (values) => {
        s.append(...values.map((v) => el('option', { value: v }, v)));
        s.value = state[name];
      },
      (err) => {
        s.append(el('option', { disabled: true }, 'list unavailable'));
        ctx.say(`The filter lists could not be loaded: ${err.message}`, 'error');
      },
    );
  }
  const size = select('limit', PAGE_SIZES, { value: state.limit });
  filters.append(field('Per page', size));
  filters.append(el('button', { type: 'submit' }, 'Refresh'));

  const search = el('form', { id: 'search', class: 'toolbar', role: 'search' });
  const idInput = el('input', {
    name: 'id',
    type: 'search',
    placeholder: 'task_01…',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  search.append(field('Find a task by id', idInput), el('button', { type: 'submit' }, 'Open'));

  const scheduleNote = el('p', { class: 'hint', id: 'schedule-filter' });
  const list = table(COLUMNS, 'Tasks, newest first');
  list.body.id = 'tasks';
  const count = el('span', { id: 'count', 'aria-live': 'polite' });
  const prev = button('Previous page', () => go(state.offset - Number(state.limit)), {
    id: 'prev',
  });
  const next = button('Next page', () => go(state.offset + Number(state.limit)), { id: 'next' });
  const pager = el('nav', { class: 'pager', 'aria-label': 'Pages' }, prev, count, next);

  view.append(
    el(
      'div',
      { class: 'page-head' },
      el('h2', {}, 'Tasks'),
      el('a', { class: 'cta', href: '#/import' }, 'New import'),
    ),
    search,
    filters,
    scheduleNote,
    el('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': 'Task table' }, list),
    pager,
  );

  function go(offset) {
    state.offset = Math.max(0, offset);
    return load();
  }

  filters.addEventListener('change', () => {
    for (const name of Object.keys(selects)) state[name] = selects[name].value;
    state.limit = size.value;
    state.offset = 0;
    load();
  });
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });
  search.addEventListener('submit', async (e) => {
    e.preventDefault();
    const id = idInput.value.trim();
    if (!id) return;
    try {
      await api(`/v1/tasks/${encodeURIComponent(id)}`);
      ctx.navigate(`#/tasks/${encodeURIComponent(id)}`);
    } catch (err) {
      ctx.say(
        err instanceof ApiError && err.status === 404 ? `No task ${id} here.` : err.message,
        'error',
      );
    }
  });

  async function load() {
    clearTimeout(timer);
    const params = {
      task_type: state.task_type,
      entity_type: state.entity_type,
      task_status: state.task_status,
      scheduled_task_id: state.scheduled_task_id,
      limit: state.limit,
      offset: state.offset,
    };
    ctx.setQuery({
      ...params,
      limit: state.limit === '25' ? '' : state.limit,
      offset: state.offset || '',
    });
    scheduleNote.replaceChildren(
      ...(state.scheduled_task_id
        ? [
            'Runs of scheduled export ',
            el('a', { href: `#/schedules/${state.scheduled_task_id}` }, state.scheduled_task_id),
          ]
        : []),
    );
    try {
      const { items, pagination } = await api(`/v1/tasks?${qs(params)}`);
      if (stopped) return;
      // Past the end (tasks gone, filters changed): back to the last page that has rows.
      if (items.length === 0 && pagination.total > 0 && state.offset > 0) {
        state.offset =
          Math.floor((pagination.total - 1) / Number(state.limit)) * Number(state.limit);
        return load();
      }
      const first = pagination.total === 0 ? 0 : state.offset + 1;
      count.textContent = `${fmt(first)}–${fmt(state.offset + items.length)} of ${fmt(pagination.total)}`;
      prev.hidden = state.offset === 0;
      next.hidden = state.offset + items.length >= pagination.total;
      show(items);
    } catch (err) {
      if (!stopped) ctx.say(`Could not load tasks: ${err.message}`, 'error');
    }
    if (!stopped) timer = setTimeout(load, REFRESH_MS);
  }

  function show(items) {
    const body = list.body;
    const keep = new Set(items.map((t) => t.id));
    for (const tr of [...body.children]) if (!keep.has(tr.dataset.taskId)) tr.remove();
    for (const [id, c] of streams) {
      if (keep.has(id)) continue;
      c.abort();
      streams.delete(id);
    }
    if (items.length === 0) {
      body.replaceChildren(
        el('tr', { class: 'empty' }, el('td', { colspan: COLUMNS.length }, 'No task matches.')),
      );
      return;
    }
    body.querySelector('tr.empty')?.remove();
    items.forEach((task, i) => {
      let tr = body.querySelector(`tr[data-task-id="${CSS.escape(task.id)}"]`);
      if (!tr) tr = createRow(task);
      if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] || null);
      // A live stream knows better than the list (the list may be a few seconds old).
      if (!streams.has(task.id)) update(tr, { task, rows_per_second: null, percent: null });
      if (!FINAL.includes(task.task_status) && !streams.has(task.id) && streams.size < MAX_STREAMS)
        follow(task.id, tr);
    });
  }

  async function follow(id, tr) {
    const c = new AbortController();
    streams.set(id, c);
    try {
      await followTask(id, (snap) => update(tr, snap), c.signal);
    } catch (err) {
      if (err.name !== 'AbortError' && !stopped)
        ctx.say(`Live progress of ${id}: ${err.message}`, 'error');
    } finally {
      if (streams.get(id) === c) streams.delete(id);
    }
  }

  load();
  return () => {
    stopped = true;
    clearTimeout(timer);
    for (const c of streams.values()) c.abort();
  };
}

function createRow(task) {
  const link = el('a', { class: 'id', href: `#/tasks/${encodeURIComponent(task.id)}` }, task.id);
  const name = task.file_name || lastSegment(task.file_url);
  const first = el(
    'td',
    {},
    link,
    name ? el('div', { class: 'file', title: task.file_url }, name) : null,
  );
  if (task.scheduled_task_id)
    first.append(el('div', { class: 'schedule' }, `scheduled: ${task.scheduled_task_id}`));
  const progressCell = el(
    'td',
    {},
    progressBar(`Progress of ${task.id}`),
    el('div', { class: 'figures' }),
    el('pre', { class: 'errors' }),
  );
  const tr = table(COLUMNS).row([
    first,
    task.task_type,
    task.entity_type,
    el('td', { class: 'status-cell' }),
    progressCell,
    el('td', { class: 'records' }),
    el('td', {}, timeEl(task.created_at)),
    el('td', { class: 'duration' }),
  ]);
  tr.dataset.taskId = task.id;
  return tr;
}

function lastSegment(url) {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).pop() ?? '');
  } catch {
    return '';
  }
}

/** Puts one snapshot (a list item or an SSE progress message) into the task's row. */
function update(tr, snap) {
  const t = snap.task;
  tr.dataset.status = t.task_status;
  tr.className = t.task_status;
  tr.querySelector('.status-cell').replaceChildren(statusBadge(t.task_status));
  const done = t.task_status === 'COMPLETED';
  const percent = done ? 100 : snap.percent;
  tr.querySelector('.progress').set(percent, t.task_status === 'PROCESSING');
  const figures = [];
  if (percent != null) figures.push(`${percent}%`);
  if (snap.rows_per_second != null) figures.push(`${fmt(snap.rows_per_second)} rows/s`);
  if (snap.eta_seconds && !FINAL.includes(t.task_status))
    figures.push(`${duration(snap.eta_seconds)} left`);
  tr.querySelector('.figures').textContent = figures.join(' · ');
  tr.querySelector('.errors').textContent = t.error_summary || '';
  tr.querySelector('.records').textContent =
    `${fmt(t.processed_records)} processed / ${fmt(t.total_records)} total, ` +
    `${fmt(t.successful_records)} ok, ${fmt(t.failed_records)} rejected`;
  tr.querySelector('.duration').textContent = duration(taskSeconds(t));
}
