// One scheduled export: its settings, run now, enable/disable, delete, and its runs (EXPORT tasks
// with its scheduled_task_id, docs/API.md §4), each with its status and a download.
import { api, followTask, qs } from '../lib/api.js';
import {
  button,
  duration,
  el,
  FINAL,
  fmt,
  openDownload,
  statusBadge,
  table,
  taskSeconds,
  timeEl,
} from '../lib/dom.js';
import { runNow, setEnabled } from './schedules.js';

const RUN_COLUMNS = ['Run', 'Status', 'Rows', 'Created', 'Duration', ''];
const RUNS_PAGE = 20;
const REFRESH_MS = 5000;

export function render(view, [id], ctx) {
  const c = new AbortController();
  let timer = null;
  let schedule = null;
  let offset = 0;
  const heading = el('h2', { class: 'task-id' }, id);
  const details = el('dl', { class: 'timings', id: 'schedule-details' });
  const actions = el('div', { class: 'actions', id: 'schedule-actions' });
  const runs = table(RUN_COLUMNS, 'Runs, newest first');
  runs.body.id = 'runs';
  const count = el('span', { 'aria-live': 'polite' });
  const prev = button('Newer runs', () => ((offset = Math.max(0, offset - RUNS_PAGE)), loadRuns()));
  const next = button('Older runs', () => ((offset += RUNS_PAGE), loadRuns()));
  const json = el('pre', { tabindex: 0 });
  view.append(
    el('p', { class: 'crumbs' }, el('a', { href: '#/schedules' }, '← Scheduled exports')),
    heading,
    details,
    actions,
    el(
      'section',
      { 'aria-labelledby': 'runs-h' },
      el('h3', { id: 'runs-h' }, 'Runs'),
      el('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': 'Runs table' }, runs),
      el('nav', { class: 'pager', 'aria-label': 'Runs pages' }, prev, count, next),
      el(
        'p',
        {},
        el(
          'a',
          { href: `#/tasks?scheduled_task_id=${encodeURIComponent(id)}` },
          'All runs in the task list',
        ),
      ),
    ),
    el('details', {}, el('summary', {}, 'Schedule as JSON'), json),
  );

  async function load() {
    try {
      schedule = await api(`/v1/tasks/scheduled/${encodeURIComponent(id)}`, { signal: c.signal });
    } catch (err) {
      if (err.name !== 'AbortError') ctx.say(err.message, 'error');
      return;
    }
    const s = schedule;
    view.dataset.enabled = String(s.enabled);
    heading.textContent = `${s.entity_type} ${s.interval} export`;
    const where =
      s.connection_id === 'store'
        ? `store://${s.job_config.bucket ?? 'exports'}/`
        : `${s.connection_id} → s3://${s.job_config.bucket}/`;
    dl(details, [
      ['Id', s.id],
      ['Status', s.status === 'archived' ? 'deleted' : s.enabled ? 'enabled' : 'disabled'],
      ['Destination', `${where}${s.job_config.key_prefix ?? ''}`],
      ['Mode', s.job_config.mode ?? '–'],
      ['Next run', timeEl(s.next_run_at)],
      [
        'Last run',
        el(
          'span',
          {},
          timeEl(s.last_run_at),
          ' ',
          s.last_run_status ? statusBadge(s.last_run_status) : '',
        ),
      ],
      ['Last error', s.last_run_error ?? '–'],
      ['Skipped slots', fmt(s.skipped_slots)],
    ]);
    json.textContent = JSON.stringify(s, null, 2);
    if (s.status === 'archived') return actions.replaceChildren();
    actions.replaceChildren(
      button(
        'Run now',
        async () => {
          try {
            const run = await runNow(id);
            ctx.say(run.message ?? `Run ${run.workflow_id} started.`);
            offset = 0;
            await Promise.all([load(), loadRuns()]);
          } catch (err) {
            ctx.say(err.message, 'error');
          }
        },
        { id: 'run-now' },
      ),
      button(
        s.enabled ? 'Disable' : 'Enable',
        async () => {
          try {
            await setEnabled(id, !s.enabled);
            await load();
          } catch (err) {
            ctx.say(err.message, 'error');
          }
        },
        { id: 'toggle' },
      ),
      button(
        'Delete',
        async () => {
          if (!window.confirm(`Delete ${id}? It never runs again; its runs and files stay.`))
            return;
          try {
            await api(`/v1/tasks/scheduled/${encodeURIComponent(id)}`, { method: 'DELETE' });
            ctx.navigate('#/schedules');
          } catch (err) {
            ctx.say(err.message, 'error');
          }
        },
        { id: 'delete', class: 'danger' },
      ),
    );
  }

  const following = new Set();
  async function loadRuns() {
    clearTimeout(timer);
    try {
      const { items, pagination } = await api(
        `/v1/tasks?${qs({ scheduled_task_id: id, limit: RUNS_PAGE, offset })}`,
        { signal: c.signal },
      );
      count.textContent = `${fmt(pagination.total ? offset + 1 : 0)}–${fmt(offset + items.length)} of ${fmt(pagination.total)}`;
      prev.hidden = offset === 0;
      next.hidden = offset + items.length >= pagination.total;
      runs.body.replaceChildren(
        ...(items.length
          ? items.map((t) => runRow(t))
          : [
              el(
                'tr',
                { class: 'empty' },
                el('td', { colspan: RUN_COLUMNS.length }, 'No run yet.'),
              ),
            ]),
      );
      // A running run is followed live; its end reloads the table (and the schedule's last run).
      for (const t of items) {
        if (FINAL.includes(t.task_status) || following.has(t.id)) continue;
        following.add(t.id);
        followTask(t.id, () => undefined, c.signal)
          .then(
            () => Promise.all([load(), loadRuns()]),
            () => undefined, // aborted (page left) or cut: the next refresh shows the state
          )
          .finally(() => following.delete(t.id));
      }
    } catch (err) {
      if (err.name === 'AbortError') return;
      ctx.say(`Could not load the runs: ${err.message}`, 'error');
    }
    timer = setTimeout(loadRuns, REFRESH_MS);
  }

  function runRow(t) {
    const tr = runs.row([
      el('a', { href: `#/tasks/${encodeURIComponent(t.id)}`, class: 'id' }, t.id),
      statusBadge(t.task_status),
      fmt(t.processed_records),
      timeEl(t.created_at),
      duration(taskSeconds(t)),
      el(
        'td',
        { class: 'links' },
        t.task_status === 'COMPLETED'
          ? button(
              'Download',
              async () => {
                try {
                  const { download_url } = await api(
                    `/v1/tasks/${encodeURIComponent(t.id)}/download`,
                  );
                  openDownload(download_url);
                } catch (err) {
                  ctx.say(`Download of ${t.id}: ${err.message}`, 'error');
                }
              },
              { 'aria-label': `Download: ${t.id}` },
            )
          : '',
      ),
    ]);
    tr.dataset.taskId = t.id;
    tr.dataset.status = t.task_status;
    return tr;
  }

  load();
  loadRuns();
  return () => {
    c.abort();
    clearTimeout(timer);
  };
}

function dl(list, items) {
  list.replaceChildren(
    ...items.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]),
  );
}
