// How a task's progress is shown: a redrawn bar on a terminal, one plain line per change otherwise.

const fmt = (n) => (n == null ? '?' : Number(n).toLocaleString('en-US'));

export function duration(s) {
  if (s == null) return '?';
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The words after the bar: counters, rate, ETA. */
export function describe(snap) {
  const t = snap.task;
  const parts = [
    t.task_status,
    `${fmt(t.processed_records)}${t.total_records != null ? `/${fmt(t.total_records)}` : ''} rows`,
  ];
  if (t.failed_records > 0) parts.push(`${fmt(t.failed_records)} rejected`);
  if (snap.rows_per_second != null) parts.push(`${fmt(snap.rows_per_second)} rows/s`);
  if (snap.eta_seconds != null && snap.eta_seconds > 0)
    parts.push(`ETA ${duration(snap.eta_seconds)}`);
  return parts.join('  ');
}

export class ProgressView {
  /** `stream` is where progress goes (stderr), so that stdout keeps only the result. */
  constructor(stream, { tty = Boolean(stream.isTTY), width = 30 } = {}) {
    this.stream = stream;
    this.tty = tty;
    this.width = width;
    this.tick = 0;
    this.lastLine = '';
    this.drawn = false;
  }

  update(snap) {
    const line = this.tty
      ? `${this.bar(snap)} ${describe(snap)}`
      : `progress ${snap.task.id} ${plain(snap)}`;
    if (line === this.lastLine) return;
    this.lastLine = line;
    if (this.tty) {
      const cols = this.stream.columns || 100;
      this.stream.write(`\r\x1b[2K${line.slice(0, cols - 1)}`);
      this.drawn = true;
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** Leaves the cursor on a fresh line, after the last bar. */
  done() {
    if (this.tty && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }

  bar(snap) {
    const status = snap.task.task_status;
    const percent = status === 'COMPLETED' ? 100 : snap.percent;
    if (percent == null) {
      // Total not known yet (a CSV is counted at its end): a block that moves with each update.
      const pos = this.tick++ % (this.width - 3);
      return `[${' '.repeat(pos)}<=>${' '.repeat(this.width - 3 - pos)}]       `;
    }
    const full = Math.round((percent / 100) * this.width);
    return `[${'#'.repeat(full)}${'-'.repeat(this.width - full)}] ${String(percent.toFixed(1)).padStart(5)}%`;
  }
}

/** key=value words, stable for scripts and logs. */
function plain(snap) {
  const t = snap.task;
  const words = [
    `status=${t.task_status}`,
    `processed=${t.processed_records}`,
    `successful=${t.successful_records}`,
    `failed=${t.failed_records}`,
    `total=${t.total_records ?? '?'}`,
  ];
  if (snap.percent != null) words.push(`percent=${snap.percent}`);
  if (snap.rows_per_second != null) words.push(`rows_per_second=${snap.rows_per_second}`);
  if (snap.eta_seconds != null) words.push(`eta_seconds=${snap.eta_seconds}`);
  return words.join(' ');
}
