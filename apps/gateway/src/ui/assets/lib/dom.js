// Small DOM helpers: every text goes in through textContent, never innerHTML.

/** `el('td', {class: 'x', 'data-id': 1}, 'text', child…)`: an element with attributes and children. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c != null && c !== false) e.append(c);
  return e;
}

export const $ = (id) => document.getElementById(id);

export const fmt = (n) => (n == null ? '–' : Number(n).toLocaleString('en-US'));

/** Seconds as `42 s`, `3 min 5 s`, `2 h 10 min`. */
export function duration(s) {
  if (s == null || !Number.isFinite(s)) return '–';
  if (s < 10) return `${Math.round(s * 10) / 10} s`;
  s = Math.round(s);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A task's run time: started → ended (or now while it runs), in seconds; null before it starts. */
export function taskSeconds(t, now = Date.now()) {
  if (!t.started_at) return null;
  const end = t.completed_at || t.failed_at;
  return ((end ? Date.parse(end) : now) - Date.parse(t.started_at)) / 1000;
}

/** An ISO time as `2026-01-31 12:00:05 UTC` (one zone for everyone reading the same task). */
export function time(iso) {
  if (!iso) return '–';
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') + ' UTC';
}

/** A `<time>` element: the UTC text, the machine value, and how long ago in its title. */
export function timeEl(iso) {
  if (!iso) return el('span', { text: '–' });
  const ago = (Date.now() - Date.parse(iso)) / 1000;
  return el('time', { datetime: iso, title: ago >= 0 ? `${duration(ago)} ago` : '' }, time(iso));
}

export const FINAL = ['COMPLETED', 'FAILED'];

export function statusBadge(status) {
  return el('span', { class: `status ${status ?? ''}` }, status ?? '–');
}

/** A progress bar (role=progressbar) with `set(percent | null, running)`. */
export function progressBar(label) {
  const bar = el('div', { class: 'bar' });
  const box = el(
    'div',
    {
      class: 'progress',
      role: 'progressbar',
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-label': label,
    },
    bar,
  );
  box.set = (percent, running) => {
    const moving = running && percent == null;
    bar.classList.toggle('indeterminate', moving);
    bar.style.width = moving ? '' : `${percent == null ? 0 : percent}%`;
    if (percent == null) box.removeAttribute('aria-valuenow');
    else box.setAttribute('aria-valuenow', String(percent));
  };
  return box;
}

/** A button that runs `action` once at a time and shows it is busy meanwhile. */
export function button(label, action, attrs = {}) {
  const b = el('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', async () => {
    if (b.getAttribute('aria-busy') === 'true') return;
    b.setAttribute('aria-busy', 'true');
    b.disabled = true;
    try {
      await action(b);
    } finally {
      b.removeAttribute('aria-busy');
      b.disabled = false;
    }
  });
  return b;
}

/** A labelled form control: `<label>Text <control></label>` with an optional hint below. */
export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const parts = [el('label', { for: id }, label), control];
  if (hint) {
    const hid = `${id}-hint`;
    control.setAttribute('aria-describedby', hid);
    parts.push(el('p', { class: 'hint', id: hid }, hint));
  }
  return el('div', { class: 'field' }, ...parts);
}

export function select(name, values, { any, value, required, labels } = {}) {
  const s = el('select', { name, required });
  if (any !== undefined) s.append(el('option', { value: '' }, any));
  for (const v of values) s.append(el('option', { value: v }, labels?.[v] ?? v));
  if (value != null) s.value = value;
  return s;
}

/** A table whose cells carry their column's name (read on narrow screens, see app.css). */
export function table(columns, caption) {
  const body = el('tbody');
  const t = el(
    'table',
    { class: 'cards' },
    caption ? el('caption', { class: 'visually-hidden' }, caption) : null,
    el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', { scope: 'col' }, c)))),
    body,
  );
  t.body = body;
  t.row = (cells, attrs = {}) =>
    el(
      'tr',
      attrs,
      ...cells.map((c, i) =>
        c instanceof HTMLTableCellElement
          ? (c.dataset.label ?? (c.dataset.label = columns[i]), c)
          : el('td', { 'data-label': columns[i] }, c),
      ),
    );
  return t;
}

/** Saves a Blob as a file, through a temporary link. */
export function saveBlob(blob, name) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** Opens a URL as a download (a same-origin signed link answers with content-disposition). */
export function openDownload(url) {
  const a = el('a', { href: url, download: '', rel: 'noopener' });
  document.body.append(a);
  a.click();
  a.remove();
}
