// Ferry console: plain ES modules served by the gateway, no build step, nothing from a CDN
// (docs/DECISIONS.md 160). Pages are addressed by the URL fragment (`#/tasks/task_…`), so a link
// to a task can be shared and the back button works; each page is one module under pages/ with
// `render(view, params, ctx)` returning its cleanup. A page is added by one line in ROUTES (and
// NAV, to show it in the menu).
import { api, onUnauthorised, session } from './lib/api.js';
import { $, el } from './lib/dom.js';
import * as importPage from './pages/import.js';
import * as keysPage from './pages/keys.js';
import * as schedulePage from './pages/schedule.js';
import * as schedulesPage from './pages/schedules.js';
import * as taskPage from './pages/task.js';
import * as tasksPage from './pages/tasks.js';

/** `#/path` patterns → page modules; the captures are the page's params. */
const ROUTES = [
  [/^\/?$/, tasksPage],
  [/^\/tasks$/, tasksPage],
  [/^\/tasks\/([^/?]+)$/, taskPage],
  [/^\/import$/, importPage],
  [/^\/schedules$/, schedulesPage],
  [/^\/schedules\/([^/?]+)$/, schedulePage],
  [/^\/keys$/, keysPage],
];

/** The menu: [label, fragment, which routes it stands for]. */
const NAV = [
  ['Tasks', '#/tasks', /^\/(tasks.*)?$/],
  ['New import', '#/import', /^\/import$/],
  ['Scheduled exports', '#/schedules', /^\/schedules/],
  ['API keys', '#/keys', /^\/keys$/],
];

let cleanup = null;
let rendered = false;

export function say(text, kind = 'info') {
  const m = $('message');
  m.textContent = text || '';
  m.dataset.kind = kind;
}

/** The fragment as `{path, query}`: `#/tasks?task_status=FAILED` → `/tasks`, URLSearchParams. */
export function currentRoute() {
  const hash = location.hash.replace(/^#/, '');
  const [path, query = ''] = hash.split('?');
  return { path: path || '/', query: new URLSearchParams(query) };
}

/** Changes the fragment's query without a new history entry or a re-render (filters, pages). */
export function setQuery(params) {
  const { path } = currentRoute();
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') q.set(k, String(v));
  const text = q.toString();
  history.replaceState(null, '', `#${path}${text ? `?${text}` : ''}`);
}

function renderRoute() {
  if (!session.key) return showKeyForm();
  cleanup?.();
  cleanup = null;
  const { path, query } = currentRoute();
  const view = $('view');
  view.replaceChildren();
  for (const k of Object.keys(view.dataset)) delete view.dataset[k]; // the last page's state
  say('');
  for (const a of $('nav').querySelectorAll('a')) {
    if (NAV.find(([, href]) => href === a.getAttribute('href'))[2].test(path))
      a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const route = ROUTES.find(([re]) => re.test(path));
  if (!route) {
    view.append(
      el('h2', {}, 'No such page'),
      el('p', {}, el('a', { href: '#/tasks' }, 'To the tasks')),
    );
    return;
  }
  const params = route[0].exec(path).slice(1).map(decodeURIComponent);
  const ctx = { say, query, setQuery, navigate: (hash) => (location.hash = hash) };
  cleanup = route[1].render(view, params, ctx) ?? null;
  // Keyboard and screen-reader users land on the new page's heading, not the old link.
  const heading = view.querySelector('h2');
  if (heading && rendered) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
  rendered = true;
  document.title = `${heading?.textContent ?? 'Ferry'} · Ferry console`;
}

function showKeyForm() {
  cleanup?.();
  cleanup = null;
  $('key-form').hidden = false;
  $('view').hidden = true;
  $('nav').hidden = true;
  $('forget').hidden = true;
  $('api-key').focus();
}

function forgetKey(why) {
  session.forget();
  showKeyForm();
  say(why || '', why ? 'error' : 'info');
}

/** Shows the console once the key is known to work (a page that reads nothing would not tell). */
async function open() {
  try {
    await api('/v1/tasks?limit=1');
  } catch (err) {
    if (err.status !== 401) say(`The API did not answer: ${err.message}`, 'error');
    if (!session.key) return; // refused: the key form is back
  }
  $('key-form').hidden = true;
  $('view').hidden = false;
  $('nav').hidden = false;
  $('forget').hidden = false;
  renderRoute();
}

document.addEventListener('DOMContentLoaded', () => {
  $('nav').append(
    el('ul', {}, ...NAV.map(([label, href]) => el('li', {}, el('a', { href }, label)))),
  );
  onUnauthorised(forgetKey);
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const key = $('api-key').value.trim();
    if (!key) return;
    session.set(key);
    $('api-key').value = '';
    open();
  });
  $('forget').addEventListener('click', () => forgetKey(''));
  window.addEventListener('hashchange', () => session.key && renderRoute());
  if (session.key) open();
  else showKeyForm();
});
