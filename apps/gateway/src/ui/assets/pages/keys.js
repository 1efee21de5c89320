// API keys (docs/API.md §2, `key:manage`): make one — shown once, with a copy button —, the
// environment's keys with created / expiry / last use, and revoke with a confirm. A key without
// `key:manage` gets a sentence saying so, not a page of errors.
import { api, ApiError, qs, session } from '../lib/api.js';
import { button, el, field, fmt, select, table, timeEl } from '../lib/dom.js';

const COLUMNS = ['Name', 'Key', 'Type', 'Permissions', 'Created', 'Expires', 'Last used', ''];
const TYPES = ['private_key', 'publishable_key'];
const TYPE_LABELS = {
  private_key: 'private: read and write tasks',
  publishable_key: 'publishable: read tasks only',
};
/** What each type may do (docs/API.md §2); `key:manage` is added only when asked for. */
const TYPE_PERMISSIONS = {
  private_key: ['task:read', 'task:write'],
  publishable_key: ['task:read'],
};

export function render(view, _params, ctx) {
  const list = table(COLUMNS, 'API keys');
  list.body.id = 'keys';
  const count = el('p', { id: 'key-count', class: 'hint', 'aria-live': 'polite' });
  const made = el('div', { id: 'new-key', class: 'new-key', hidden: true, role: 'status' });
  const form = createForm(ctx, made, () => load());
  const body = el(
    'div',
    {},
    made,
    el('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': 'Keys table' }, list),
    count,
    el(
      'section',
      { 'aria-labelledby': 'create-key-h' },
      el('h3', { id: 'create-key-h' }, 'New API key'),
      form,
    ),
  );
  view.append(
    el('h2', {}, 'API keys'),
    el(
      'p',
      { class: 'hint' },
      'The keys of this environment. A key is shown once, when it is made: only its hash is kept.',
    ),
    body,
  );

  async function load() {
    try {
      const { items, pagination } = await api(`/v1/secrets/api/keys?${qs({ limit: 100 })}`);
      count.textContent = `${fmt(items.length)} of ${fmt(pagination.total)} usable keys`;
      list.body.replaceChildren(
        ...(items.length
          ? items.map((k) => keyRow(list, k, ctx, load))
          : [el('tr', { class: 'empty' }, el('td', { colspan: COLUMNS.length }, 'No key.'))]),
      );
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) {
        view.dataset.forbidden = 'true';
        body.replaceChildren(
          el(
            'p',
            { id: 'keys-forbidden', class: 'notice' },
            'This API key may not manage keys: it lacks the key:manage permission. ' +
              'Open the console with a key that has it (the first key the gateway printed does) ' +
              'to make, list or revoke keys.',
          ),
        );
        return;
      }
      ctx.say(`Could not load the keys: ${err.message}`, 'error');
    }
  }
  load();
}

function keyRow(list, k, ctx, reload) {
  const mine = session.key?.startsWith(k.display_id) ?? false;
  const tr = list.row([
    el('span', {}, k.name, mine ? el('span', { class: 'hint' }, ' (this console’s key)') : ''),
    el('code', {}, `${k.display_id}…`),
    k.type,
    k.roles.join(', '),
    timeEl(k.created_at),
    k.expires_at ? timeEl(k.expires_at) : 'never',
    k.last_used_at ? timeEl(k.last_used_at) : 'not yet',
    el(
      'td',
      { class: 'links' },
      button(
        'Revoke',
        async () => {
          const question =
            `Revoke the key ${k.name} (${k.display_id}…)? Every request with it is refused from now on; ` +
            `this cannot be undone.${mine ? ' It is the key this console uses: you will be asked for another.' : ''}`;
          if (!window.confirm(question)) return;
          try {
            await api(`/v1/secrets/api/keys/${encodeURIComponent(k.id)}`, { method: 'DELETE' });
            ctx.say(`The key ${k.name} is revoked.`);
            await reload();
          } catch (err) {
            ctx.say(err.message, 'error');
          }
        },
        { 'aria-label': `Revoke: ${k.name}`, class: 'danger' },
      ),
    ),
  ]);
  tr.dataset.keyId = k.id;
  return tr;
}

function createForm(ctx, made, created) {
  const name = el('input', {
    type: 'text',
    name: 'name',
    required: true,
    maxlength: 255,
    autocomplete: 'off',
  });
  const type = select('type', TYPES, { value: 'private_key', labels: TYPE_LABELS });
  const expires = el('input', { type: 'date', name: 'expires_at' });
  const manage = el('input', { type: 'checkbox', name: 'key_manage', id: 'key-manage' });
  const problem = el('p', { class: 'problem', role: 'alert' });
  const form = el(
    'form',
    { id: 'key-form-new', class: 'stack' },
    el(
      'div',
      { class: 'row' },
      field('Name', name, 'Who or what uses it, e.g. “finance imports”.'),
      field('Type', type),
      field('Expires', expires, 'Optional: refused from 00:00 UTC that day. Empty: never.'),
    ),
    el('div', { class: 'checks' }, el('label', {}, manage, ' may also manage keys (key:manage)')),
    problem,
    el('button', { type: 'submit', class: 'cta' }, 'Create key'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    problem.textContent = '';
    if (!name.value.trim()) {
      problem.textContent = 'Give the key a name.';
      name.focus();
      return;
    }
    try {
      const res = await api('/v1/secrets/api/keys', {
        method: 'POST',
        body: {
          name: name.value.trim(),
          type: type.value,
          ...(expires.value ? { expires_at: `${expires.value}T00:00:00Z` } : {}),
          ...(manage.checked
            ? { permissions: [...TYPE_PERMISSIONS[type.value], 'key:manage'] }
            : {}),
        },
      });
      showOnce(made, res, ctx);
      form.reset();
      await created();
    } catch (err) {
      problem.textContent = err.message;
    }
  });
  return form;
}

/** The new key, this once: a read-only field to select, a copy button, and the warning. */
function showOnce(made, res, ctx) {
  const value = el('input', {
    type: 'text',
    id: 'new-key-value',
    readonly: true,
    value: res.api_key,
    spellcheck: 'false',
    autocomplete: 'off',
    'aria-describedby': 'new-key-warning',
  });
  const copy = button(
    'Copy',
    async () => {
      try {
        await navigator.clipboard.writeText(res.api_key);
      } catch {
        value.select();
        document.execCommand('copy'); // a page not in a secure context has no clipboard API
      }
      ctx.say('The key is copied.');
    },
    { id: 'copy-key' },
  );
  made.replaceChildren(
    el('h3', {}, `Your new key: ${res.secret.name}`),
    el(
      'p',
      { id: 'new-key-warning', class: 'warning' },
      'Copy it now and keep it somewhere safe: you will not see it again. Only its hash is stored.',
    ),
    el('div', { class: 'copy-row' }, field('Key', value), copy),
  );
  made.hidden = false;
  value.focus();
  value.select();
}
