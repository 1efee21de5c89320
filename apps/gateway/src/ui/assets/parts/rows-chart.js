// The rows/s line of a task page: an SVG drawn from the SSE messages' `rows_per_second`
// (docs/API.md §1 "Live progress"), with a text alternative that says the latest and the peak.
import { el, fmt } from '../lib/dom.js';

const W = 600;
const H = 120;
const NS = 'http://www.w3.org/2000/svg';
const svg = (tag, attrs) => {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
};

export function rowsChart() {
  const points = []; // [seconds since the first, rows/s]
  let t0 = null;
  const line = svg('polyline', { class: 'line', points: '', fill: 'none' });
  // Labels are HTML around the SVG: the SVG stretches to the width, text in it would too.
  const peakLabel = el('span', { class: 'axis peak' });
  const spanLabel = el('span', { class: 'axis span' });
  const chart = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    preserveAspectRatio: 'none',
    class: 'chart',
  });
  const title = svg('title', {});
  chart.append(
    title,
    svg('line', { x1: 0, y1: H - 1, x2: W, y2: H - 1, class: 'baseline' }),
    line,
    peakLabel,
    spanLabel,
  );
  const caption = el('p', { class: 'hint', id: 'rate-text' }, 'No throughput figure yet.');
  const figure = el(
    'figure',
    { class: 'rate', id: 'rate' },
    el('div', { class: 'plot', 'aria-hidden': 'true' }, peakLabel, chart, spanLabel),
    el('figcaption', {}, caption),
  );

  function draw() {
    const peak = Math.max(1, ...points.map((p) => p[1]));
    const span = Math.max(1, points.length ? points[points.length - 1][0] : 1);
    line.setAttribute(
      'points',
      points
        .map(
          ([x, y]) =>
            `${((x / span) * W).toFixed(1)},${(H - 2 - (y / peak) * (H - 20)).toFixed(1)}`,
        )
        .join(' '),
    );
    peakLabel.textContent = `${fmt(peak)} rows/s`;
    spanLabel.textContent = `${Math.round(span)} s`;
    const latest = points[points.length - 1]?.[1];
    const text = `Rows per second over ${Math.round(span)} s: latest ${fmt(latest)}, peak ${fmt(peak)}.`;
    caption.textContent = text;
    title.textContent = text;
    figure.dataset.points = String(points.length);
  }

  return {
    element: figure,
    /** One SSE message: adds a point when it carries a rate. */
    add(snap, now = Date.now()) {
      if (snap.rows_per_second == null) return;
      t0 ??= now;
      points.push([(now - t0) / 1000, snap.rows_per_second]);
      if (points.length > 600) points.shift();
      draw();
    },
  };
}
