// One task's page: live counters and a rows/s line (SSE), status and timings, the sections
// (rejected rows, warnings), downloads, cancel and retry, and the TaskResponse as JSON.
import { api, ApiError, followTask } from '../lib/api.js';
import {
  button,
  duration,
  el,
  FINAL,
  fmt,
  openDownload,
  progressBar,
  saveBlob,
  statusBadge,
  taskSeconds,
  timeEl,
} from '../lib/dom.js';
import * as rejectedRows from '../parts/rejected-rows.js';
import { rowsChart } from '../parts/rows-chart.js';
import * as warnings from '../parts/warnings.js';

/**
 * The sections under the counters, in order: each module has `applies(task)` and
 * `create(task) → {element, update(task)}`.
 */
const SECTIONS = [rejectedRows, warnings];

/** The buttons: `[label, id, shown(task), run(task, page)]`. */
const ACTIONS = [
  [
    'Cancel',
    'cancel',
    (t) => !FINAL.includes(t.task_status),
    (t, p) => p.setStatus('FAILED', `Cancel ${t.id}? Rows already committed stay.`),
  ],
  ['Retry', 'retry', (t) => t.task_status === 'FAILED', (t, p) => p.setStatus('PROCESSING')],
  [
    'Download export',
    'download',
    (t) => t.task_type === 'EXPORT' && t.task_status === 'COMPLETED',
    (t, p) => p.downloadExport(),
  ],
  [
    'Rejected rows file',
    'errors-file',
    (t) => t.task_type === 'IMPORT' && t.failed_records > 0,
    (t, p) => p.rejectedFile(),
  ],
  [
    'Warnings file',
    'warnings-file',
    (t) => t.task_type === 'IMPORT' && t.metadata?.warnings > 0,
    (t, p) => p.warningsFile(),
  ],
  [
    'Import a corrected file',
    'reimport',
    (t) => t.task_type === 'IMPORT' && FINAL.includes(t.task_status),
    (t, p) => p.reimport(),
  ],
  // Issue 15 (docs/API.md §5): a preview in a confirm, then the revert task's page.
  [
    'Revert…',
    'revert',
    (t) =>
      t.task_type === 'IMPORT' &&
      FINAL.includes(t.task_status) &&
      !isFlag(t.metadata?.dry_run) &&
      !t.metadata?.revert_of,
    (t, p) => p.revert(),
  ],
];

const isFlag = (v) => v === true || v === 'true';

/** The import's modes and what a revert undoes, as one line (docs/API.md §5). */
function modes(t) {
  const m = t.metadata ?? {};
  const out = [];
  if (isFlag(m.dry_run)) out.push('dry run: nothing was written');
  if (isFlag(m.atomic)) out.push('atomic');
  if (m.revert_of) out.push(`revert of ${m.revert_of}`);
  // A large file read in parts by several importers at once (docs/DECISIONS.md 128).
  if (m.parts > 0) out.push(`read in ${m.parts} parts`);
  return out.length ? ` · ${out.join(' · ')}` : '';
}

export function render(view, [id], ctx) {
  const c = new AbortController();
  let task = null;
  let following = false;

  const heading = el('h2', { class: 'task-id' }, id);
  const status = el('span', { id: 'task-status', 'aria-live': 'polite' });
  const what = el('p', { class: 'what' });
  const actions = el('div', { class: 'actions', id: 'actions' });
  const bar = progressBar(`Progress of ${id}`);
  const figures = el('p', { class: 'figures', id: 'figures', 'aria-live': 'off' });
  const counters = el('dl', { class: 'counters', id: 'counters' });
  const timings = el('dl', { class: 'timings', id: 'timings' });
  const summary = el('pre', { class: 'errors', id: 'error-summary' });
  const chart = rowsChart();
  const json = el('pre', { id: 'task-json', tabindex: 0 });
  const sections = el('div', { id: 'sections' });
  const parts = [];
  view.append(
    el('p', { class: 'crumbs' }, el('a', { href: '#/tasks' }, '← Tasks')),
    el('div', { class: 'page-head' }, heading, status),
    what,
    actions,
    el(
      'section',
      { 'aria-label': 'Progress', class: 'live' },
      bar,
      figures,
      counters,
      chart.element,
    ),
    el(
      'section',
      { 'aria-labelledby': 'timings-h' },
      el('h3', { id: 'timings-h' }, 'Timings'),
      timings,
    ),
    summary,
    sections,
    el('details', { id: 'json' }, el('summary', {}, 'TaskResponse as JSON'), json),
  );

  const page = {
    async setStatus(to, confirmText) {
      if (confirmText && !window.confirm(confirmText)) return;
      try {
        const { message } = await api(`/v1/tasks/${encodeURIComponent(id)}/status`, {
          method: 'PUT',
          body: { task_status: to },
        });
        ctx.say(message);
      } catch (err) {
        ctx.say(err.message, 'error');
      }
      await refresh();
      follow();
    },
    async downloadExport() {
      try {
        const { download_url } = await api(`/v1/tasks/${encodeURIComponent(id)}/download`);
        openDownload(download_url);
      } catch (err) {
        ctx.say(`Download of ${id}: ${err.message}`, 'error');
      }
    },
    async rejectedFile() {
      try {
        const res = await api(`/v1/tasks/${encodeURIComponent(id)}/errors`, {
          raw: true,
          headers: { accept: 'text/csv' },
        });
        saveBlob(await res.blob(), `${id}.errors.csv`);
      } catch (err) {
        ctx.say(`Rejected rows of ${id}: ${err.message}`, 'error');
      }
    },
    /** GET /v1/tasks/{id}/warnings: the rows read with a leniency (docs/FORMATS.md §1). */
    async warningsFile() {
      try {
        const res = await api(`/v1/tasks/${encodeURIComponent(id)}/warnings`, {
          raw: true,
          headers: { accept: 'text/csv' },
        });
        saveBlob(await res.blob(), `${id}.warnings.csv`);
      } catch (err) {
        ctx.say(`Warnings of ${id}: ${err.message}`, 'error');
      }
    },
    async revert() {
      const path = `/v1/tasks/${encodeURIComponent(id)}/revert`;
      try {
        const p = await api(path);
        if (p.revert_task_id) {
          ctx.navigate(`#/tasks/${p.revert_task_id}`);
          return;
        }
        const kept = p.kept
          .map((k) => `\n  ${k.key || k.id} (changed by ${k.changed_by})`)
          .join('');
        const question =
          `Revert ${id}? It deletes ${fmt(p.would_delete)} row(s), restores ${fmt(p.would_restore)}, ` +
          `and keeps ${fmt(p.would_keep)} changed since by later tasks${kept ? `:${kept}` : '.'}`;
        if (!window.confirm(question)) return;
        const made = await api(path, { method: 'POST' });
        ctx.navigate(`#/tasks/${made.id}`);
      } catch (err) {
        ctx.say(`Revert of ${id}: ${err.message}`, 'error');
      }
    },
    reimport() {
      ctx.navigate(
        `#/import?entity_type=${task.entity_type}&file_type=${task.file_type}&from=${encodeURIComponent(id)}`,
      );
    },
  };

  function show(snap) {
    const t = snap.task;
    task = t;
    status.replaceChildren(statusBadge(t.task_status));
    view.dataset.status = t.task_status;
    what.replaceChildren(
      `${t.task_type} of ${t.entity_type} · ${t.file_type} · `,
      el('span', { class: 'file', title: t.file_url }, t.file_name || t.file_url),
      t.scheduled_task_id
        ? el(
            'span',
            {},
            ' · run of ',
            el('a', { href: `#/schedules/${t.scheduled_task_id}` }, t.scheduled_task_id),
          )
        : '',
      modes(t),
    );
    const percent = t.task_status === 'COMPLETED' ? 100 : snap.percent;
    bar.set(percent, t.task_status === 'PROCESSING');
    const f = [];
    if (percent != null) f.push(`${percent}%`);
    if (snap.rows_per_second != null) f.push(`${fmt(snap.rows_per_second)} rows/s`);
    if (snap.eta_seconds && !FINAL.includes(t.task_status))
      f.push(`${duration(snap.eta_seconds)} left`);
    figures.textContent = f.join(' · ');
    chart.add(snap);
    dl(counters, [
      ['Total', fmt(t.total_records), 'total'],
      ['Processed', fmt(t.processed_records), 'processed'],
      ['Succeeded', fmt(t.successful_records), 'succeeded'],
      ['Rejected', fmt(t.failed_records), 'rejected'],
      ...(t.metadata?.warnings > 0 ? [['Warned', fmt(t.metadata.warnings), 'warned']] : []),
      ...(t.metadata?.created != null
        ? [
            [
              'New / changed / unchanged',
              `${fmt(t.metadata.created)} / ${fmt(t.metadata.updated)} / ${fmt(t.metadata.unchanged)}`,
              'outcome',
            ],
          ]
        : []),
    ]);
    dl(timings, [
      ['Created', timeEl(t.created_at)],
      ['Started', timeEl(t.started_at)],
      [t.failed_at ? 'Failed' : 'Completed', timeEl(t.completed_at || t.failed_at)],
      ['Duration', duration(taskSeconds(t))],
      ['Updated', timeEl(t.updated_at)],
      ['Created by', t.created_by ?? '–'],
    ]);
    summary.textContent = t.error_summary || '';
    summary.hidden = !t.error_summary;
    json.textContent = JSON.stringify(t, null, 2);
    const wanted = ACTIONS.filter(([, , shown]) => shown(t));
    const key = wanted.map((a) => a[1]).join();
    if (actions.dataset.key !== key) {
      actions.dataset.key = key;
      actions.replaceChildren(
        ...wanted.map(([label, aid, , run]) => button(label, () => run(task, page), { id: aid })),
      );
    }
    for (const s of SECTIONS) {
      let part = parts.find((p) => p.module === s);
      if (!part && s.applies(t)) {
        part = { module: s, ...s.create(t, ctx) };
        parts.push(part);
        sections.append(part.element);
      }
      part?.update(t);
    }
  }

  async function refresh() {
    try {
      show({ task: await api(`/v1/tasks/${encodeURIComponent(id)}`, { signal: c.signal }) });
      return true;
    } catch (err) {
      if (err.name === 'AbortError') return false;
      if (err instanceof ApiError && err.status === 404) {
        heading.textContent = 'No such task';
        what.textContent = `There is no task ${id} in this key’s environment.`;
      } else ctx.say(err.message, 'error');
      return false;
    }
  }

  async function follow() {
    if (following || !task || FINAL.includes(task.task_status)) return;
    following = true;
    try {
      await followTask(id, show, c.signal);
      await refresh(); // the final state, with every counter the stream may have merged
    } catch (err) {
      if (err.name !== 'AbortError') ctx.say(`Live progress: ${err.message}`, 'error');
    } finally {
      following = false;
    }
  }

  refresh().then((ok) => ok && follow());
  return () => c.abort();
}

function dl(list, items) {
  list.replaceChildren(
    ...items.flatMap(([term, value, name]) => [
      el('dt', {}, term),
      el('dd', name ? { 'data-counter': name } : {}, value),
    ]),
  );
}
