// Scheduled exports (docs/API.md §4): the list with enable/disable and run now, and a form to
// create one. Each schedule has its page (schedule.js) with its runs.
import { api, apiEnum, qs } from '../lib/api.js';
import { button, el, field, fmt, select, statusBadge, table, timeEl } from '../lib/dom.js';

const COLUMNS = ['Schedule', 'Entity', 'Interval', 'Enabled', 'Next run', 'Last run', ''];
const MODES = ['incremental', 'window'];

/** `POST /v1/tasks/scheduled/{id}/run` now; answers the run's task id. */
export async function runNow(id) {
  return api(`/v1/tasks/scheduled/${encodeURIComponent(id)}/run`, { method: 'POST', body: {} });
}

export async function setEnabled(id, enabled) {
  return api(`/v1/tasks/scheduled/${encodeURIComponent(id)}`, { method: 'PUT', body: { enabled } });
}

export function render(view, _params, ctx) {
  const list = table(COLUMNS, 'Scheduled exports');
  list.body.id = 'schedules';
  const count = el('p', { id: 'schedule-count', class: 'hint', 'aria-live': 'polite' });
  const form = createForm(ctx, () => load());
  view.append(
    el('h2', {}, 'Scheduled exports'),
    el(
      'p',
      { class: 'hint' },
      'Each run is an export task; the built-in store keeps the files for download.',
    ),
    el(
      'div',
      { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': 'Schedules table' },
      list,
    ),
    count,
    el(
      'section',
      { 'aria-labelledby': 'create-h' },
      el('h3', { id: 'create-h' }, 'New scheduled export'),
      form,
    ),
  );

  async function load() {
    try {
      const { items, pagination } = await api(`/v1/tasks/scheduled?${qs({ limit: 100 })}`);
      count.textContent = `${fmt(items.length)} of ${fmt(pagination.total)}`;
      list.body.replaceChildren(
        ...(items.length
          ? items.map((s) => scheduleRow(list, s, ctx, load))
          : [
              el(
                'tr',
                { class: 'empty' },
                el('td', { colspan: COLUMNS.length }, 'No scheduled export yet.'),
              ),
            ]),
      );
    } catch (err) {
      ctx.say(`Could not load the schedules: ${err.message}`, 'error');
    }
  }
  load();
}

function scheduleRow(list, s, ctx, reload) {
  const tr = list.row([
    el('a', { href: `#/schedules/${encodeURIComponent(s.id)}`, class: 'id' }, s.id),
    s.entity_type,
    s.interval,
    s.enabled ? 'yes' : 'no',
    timeEl(s.next_run_at),
    el(
      'span',
      {},
      timeEl(s.last_run_at),
      ' ',
      s.last_run_status ? statusBadge(s.last_run_status) : '',
    ),
    el(
      'td',
      { class: 'links' },
      button(
        'Run now',
        async () => {
          try {
            const run = await runNow(s.id);
            ctx.navigate(
              `#/schedules/${encodeURIComponent(s.id)}?run=${encodeURIComponent(run.workflow_id)}`,
            );
          } catch (err) {
            ctx.say(err.message, 'error');
          }
        },
        { 'aria-label': `Run now: ${s.id}` },
      ),
      button(
        s.enabled ? 'Disable' : 'Enable',
        async () => {
          try {
            await setEnabled(s.id, !s.enabled);
            ctx.say(`${s.id} ${s.enabled ? 'disabled' : 'enabled'}.`);
            await reload();
          } catch (err) {
            ctx.say(err.message, 'error');
          }
        },
        { 'aria-label': `${s.enabled ? 'Disable' : 'Enable'}: ${s.id}` },
      ),
    ),
  ]);
  tr.dataset.scheduleId = s.id;
  tr.dataset.enabled = String(s.enabled);
  return tr;
}

function createForm(ctx, created) {
  const entity = select('entity_type', [], { required: true });
  const interval = select('interval', [], { required: true });
  for (const [s, name] of [
    [entity, 'ScheduledTaskEntityType'],
    [interval, 'ScheduleInterval'],
  ]) {
    apiEnum(name).then(
      (values) => s.append(...values.map((v) => el('option', { value: v }, v))),
      (err) => ctx.say(`The ${name} list could not be loaded: ${err.message}`, 'error'),
    );
  }
  const connection = select('connection_id', ['store'], { labels: { store: 'built-in store' } });
  api(`/v1/connections?${qs({ limit: 100 })}`).then(
    (body) =>
      connection.append(
        ...(body.connections ?? []).map((c) =>
          el('option', { value: c.id }, `${c.name} (${c.provider_type})`),
        ),
      ),
    () => undefined, // without task:read on connections the store alone is offered
  );
  const bucket = el('input', {
    type: 'text',
    name: 'bucket',
    value: 'exports',
    autocomplete: 'off',
  });
  const prefix = el('input', { type: 'text', name: 'key_prefix', autocomplete: 'off' });
  const mode = select('mode', MODES, { value: 'incremental' });
  const columns = el('input', {
    type: 'text',
    name: 'columns',
    autocomplete: 'off',
    placeholder: 'all',
  });
  const gzip = el('input', { type: 'checkbox', name: 'gzip', id: 'sched-gzip' });
  const enabled = el('input', {
    type: 'checkbox',
    name: 'enabled',
    id: 'sched-enabled',
    checked: true,
  });
  const problem = el('p', { class: 'problem', role: 'alert' });
  const form = el(
    'form',
    { id: 'schedule-form', class: 'stack' },
    el(
      'div',
      { class: 'row' },
      field('Entity', entity),
      field('Interval', interval),
      field('Destination', connection),
    ),
    el(
      'div',
      { class: 'row' },
      field('Bucket', bucket, 'Built-in store: one of FERRY_STORE_BUCKETS.'),
      field('Key prefix', prefix),
    ),
    el(
      'div',
      { class: 'row' },
      field('Mode', mode, 'incremental: every row once across runs; window: the slot by time.'),
      field('Columns', columns, 'Comma-separated; empty for all.'),
    ),
    el(
      'div',
      { class: 'checks' },
      el('label', {}, gzip, ' gzip'),
      el('label', {}, enabled, ' enabled'),
    ),
    problem,
    el('button', { type: 'submit', class: 'cta' }, 'Create schedule'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    problem.textContent = '';
    const job_config = {
      ...(bucket.value.trim() ? { bucket: bucket.value.trim() } : {}),
      ...(prefix.value.trim() ? { key_prefix: prefix.value.trim() } : {}),
      mode: mode.value,
      ...(gzip.checked ? { compression: 'gzip' } : {}),
      ...(columns.value.trim()
        ? {
            columns: columns.value
              .split(',')
              .map((c) => c.trim())
              .filter(Boolean),
          }
        : {}),
    };
    try {
      const s = await api('/v1/tasks/scheduled', {
        method: 'POST',
        body: {
          connection_id: connection.value,
          entity_type: entity.value,
          interval: interval.value,
          enabled: enabled.checked,
          job_config,
        },
      });
      await created();
      ctx.navigate(`#/schedules/${encodeURIComponent(s.id)}`);
    } catch (err) {
      problem.textContent = err.message;
    }
  });
  return form;
}
