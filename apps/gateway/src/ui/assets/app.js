// Ferry dashboard: plain browser JavaScript, no build step, nothing from a CDN.
// The API key is kept in sessionStorage and sent as the x-api-key header. Live progress comes from
// GET /v1/tasks/{id}/events read with fetch and a stream reader, not EventSource: EventSource
// cannot send headers, and a key in the URL would end up in logs and browser history.
'use strict';

const KEY = 'ferry.apiKey';
const FINAL = ['COMPLETED', 'FAILED'];
// Browsers allow about six HTTP/1.1 connections per origin; live streams are kept below that and
// the other unfinished tasks are refreshed with the list.
const MAX_STREAMS = 4;
const LIST_REFRESH_MS = 5000;

const $ = (id) => document.getElementById(id);
const streams = new Map(); // task id -> AbortController
let refreshTimer = null;

function apiKey() {
  return sessionStorage.getItem(KEY);
}

async function api(path, init = {}) {
  const res = await fetch(path, {
    ...init,
    headers: { 'x-api-key': apiKey(), ...(init.headers || {}) },
  });
  if (res.status === 401) {
    forgetKey('That API key was not accepted.');
    throw new Error('unauthorised');
  }
  return res;
}

async function errorText(res) {
  try {
    const body = await res.json();
    return body.message || res.statusText;
  } catch {
    return `${res.status} ${res.statusText}`;
  }
}

function say(text) {
  $('message').textContent = text || '';
}

function showKeyForm() {
  $('key-form').hidden = false;
  $('tasks-view').hidden = true;
  $('forget').hidden = true;
  $('who').textContent = '';
  $('api-key').focus();
}

function forgetKey(why) {
  sessionStorage.removeItem(KEY);
  stopAll();
  showKeyForm();
  say(why || '');
}

function stopAll() {
  for (const c of streams.values()) c.abort();
  streams.clear();
  clearTimeout(refreshTimer);
}

function filters() {
  const params = new URLSearchParams({ limit: '50' });
  for (const [k, v] of new FormData($('filters'))) if (v) params.set(k, String(v));
  return params;
}

async function loadTasks() {
  clearTimeout(refreshTimer);
  try {
    const res = await api(`/v1/tasks?${filters()}`);
    if (!res.ok) return say(await errorText(res));
    const { items, pagination } = await res.json();
    say('');
    $('count').textContent = `${items.length} of ${pagination.total}`;
    render(items);
  } catch (err) {
    if (err.message !== 'unauthorised') say(`Could not load tasks: ${err.message}`);
  }
  if (apiKey()) refreshTimer = setTimeout(loadTasks, LIST_REFRESH_MS);
}

function render(items) {
  const body = $('tasks');
  const keep = new Set(items.map((t) => t.id));
  for (const row of [...body.children]) if (!keep.has(row.dataset.taskId)) row.remove();
  for (const [id, c] of streams) {
    if (keep.has(id)) continue;
    c.abort();
    streams.delete(id);
  }
  items.forEach((task, i) => {
    let row = body.querySelector(`tr[data-task-id="${task.id}"]`);
    if (!row) row = createRow(task);
    if (body.children[i] !== row) body.insertBefore(row, body.children[i] || null);
    // A live stream knows better than the list (the list may be a few seconds old).
    if (!streams.has(task.id))
      update(row, { task, rows_per_second: null, percent: null, eta_seconds: null });
    if (!FINAL.includes(task.task_status) && !streams.has(task.id) && streams.size < MAX_STREAMS) {
      follow(task.id, row);
    }
  });
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function createRow(task) {
  const row = el('tr');
  row.dataset.taskId = task.id;
  const id = el('td', 'id', task.id);
  id.title = task.file_name || task.file_url;
  // A scheduled export's run names its schedule (docs/API.md §4; #19 builds the full page).
  if (task.scheduled_task_id) {
    id.append(el('div', 'schedule', `scheduled: ${task.scheduled_task_id}`));
  }
  const progress = el('div', 'progress');
  progress.setAttribute('role', 'progressbar');
  progress.setAttribute('aria-valuemin', '0');
  progress.setAttribute('aria-valuemax', '100');
  progress.append(el('div', 'bar'));
  const progressCell = el('td');
  progressCell.append(progress, el('div', 'figures'), el('pre', 'errors'));
  row.append(
    id,
    el('td', '', task.task_type),
    el('td', '', task.entity_type),
    el('td', 'status-cell'),
    progressCell,
    el('td', 'records'),
    el('td', 'links'),
  );
  return row;
}

const fmt = (n) => (n == null ? '?' : Number(n).toLocaleString('en-US'));

function duration(s) {
  if (s == null) return '';
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Puts one snapshot (a list item or an SSE progress message) into the task's row. */
function update(row, snap) {
  const t = snap.task;
  row.dataset.status = t.task_status;
  row.className = t.task_status;
  const status = el('span', `status ${t.task_status}`, t.task_status);
  row.querySelector('.status-cell').replaceChildren(status);

  const done = t.task_status === 'COMPLETED';
  const percent = done ? 100 : snap.percent;
  const progress = row.querySelector('.progress');
  const bar = row.querySelector('.bar');
  const running = t.task_status === 'PROCESSING' && percent == null;
  bar.classList.toggle('indeterminate', running);
  bar.style.width = running ? '' : `${percent == null ? 0 : percent}%`;
  if (percent == null) progress.removeAttribute('aria-valuenow');
  else progress.setAttribute('aria-valuenow', String(percent));

  const figures = [];
  if (percent != null) figures.push(`${percent}%`);
  if (snap.rows_per_second != null) figures.push(`${fmt(snap.rows_per_second)} rows/s`);
  if (snap.eta_seconds && !FINAL.includes(t.task_status))
    figures.push(`${duration(snap.eta_seconds)} left`);
  row.querySelector('.figures').textContent = figures.join(' · ');
  row.querySelector('.errors').textContent = t.error_summary || '';

  row.querySelector('.records').textContent =
    `${fmt(t.processed_records)} processed / ${fmt(t.total_records)} total, ` +
    `${fmt(t.successful_records)} ok, ${fmt(t.failed_records)} rejected`;
  links(row, t);
}

function links(row, t) {
  const cell = row.querySelector('.links');
  const wanted = [];
  if (t.task_type === 'IMPORT' && t.failed_records > 0)
    wanted.push(['Rejected rows', () => rejectedRows(t)]);
  if (t.task_type === 'EXPORT' && t.task_status === 'COMPLETED')
    wanted.push(['Download', () => download(t)]);
  if (cell.childElementCount === wanted.length) return;
  cell.replaceChildren(
    ...wanted.map(([label, action]) => {
      const b = el('button', 'link', label);
      b.type = 'button';
      b.addEventListener('click', action);
      return b;
    }),
  );
}

/** GET /v1/tasks/{id}/errors (CSV); saved as a file when the endpoint answers. */
async function rejectedRows(t) {
  const res = await api(`/v1/tasks/${t.id}/errors`);
  if (!res.ok) return say(`Rejected rows of ${t.id}: ${await errorText(res)}`);
  const a = el('a');
  a.href = URL.createObjectURL(await res.blob());
  a.download = `${t.id}.errors.csv`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** GET /v1/tasks/{id}/download gives a short-lived URL to the export's file. */
async function download(t) {
  const res = await api(`/v1/tasks/${t.id}/download`);
  if (!res.ok) return say(`Download of ${t.id}: ${await errorText(res)}`);
  const { download_url } = await res.json();
  window.open(download_url, '_blank', 'noopener');
}

/** Reads the task's SSE stream and updates its row with every message until the stream ends. */
async function follow(id, row) {
  const controller = new AbortController();
  streams.set(id, controller);
  try {
    const res = await api(`/v1/tasks/${id}/events`, {
      headers: { accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (!res.ok) throw new Error(await errorText(res));
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const frame = parseFrame(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
        if (frame.event === 'progress') update(row, JSON.parse(frame.data));
      }
    }
  } catch (err) {
    if (err.name !== 'AbortError' && err.message !== 'unauthorised')
      say(`Live progress of ${id}: ${err.message}`);
  } finally {
    if (streams.get(id) === controller) streams.delete(id);
  }
}

function parseFrame(text) {
  const frame = { event: 'message', data: '' };
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) continue; // heartbeat comment
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') frame.event = value;
    else if (field === 'data') frame.data += (frame.data ? '\n' : '') + value;
  }
  return frame;
}

/**
 * Fills each `<select data-enum="Name">` with the values of that enum in the gateway's OpenAPI
 * document (`/docs-json`, public), so the filters offer what the API accepts and a new entity type
 * appears without an edit here.
 */
async function fillEnumSelects() {
  let schemas = {};
  try {
    const res = await fetch('/docs-json');
    if (!res.ok) throw new Error(`GET /docs-json answered ${res.status}`);
    schemas = (await res.json()).components?.schemas ?? {};
  } catch (err) {
    console.error(`The filter lists could not be loaded: ${err.message}`);
  }
  for (const select of document.querySelectorAll('select[data-enum]')) {
    const values = schemas[select.dataset.enum]?.enum;
    if (Array.isArray(values)) select.append(...values.map((v) => el('option', '', v)));
    else select.append(Object.assign(el('option', '', 'list unavailable'), { disabled: true }));
  }
}

function open() {
  $('key-form').hidden = true;
  $('tasks-view').hidden = false;
  $('forget').hidden = false;
  $('who').textContent = 'tasks of this API key’s tenant and environment';
  loadTasks();
}

document.addEventListener('DOMContentLoaded', () => {
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const key = $('api-key').value.trim();
    if (!key) return;
    sessionStorage.setItem(KEY, key);
    $('api-key').value = '';
    open();
  });
  $('filters').addEventListener('submit', (e) => {
    e.preventDefault();
    loadTasks();
  });
  $('filters').addEventListener('change', () => loadTasks());
  $('forget').addEventListener('click', () => forgetKey(''));
  fillEnumSelects();
  if (apiKey()) open();
  else showKeyForm();
});
