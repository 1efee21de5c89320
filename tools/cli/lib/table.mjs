// `ferry tasks` and `ferry schedules list`: fixed sets of columns, padded to the widest cell.

export const TASK_COLUMNS = [
  ['ID', (t) => t.id],
  ['TYPE', (t) => t.task_type],
  ['ENTITY', (t) => t.entity_type],
  ['STATUS', (t) => t.task_status],
  ['PROCESSED', (t) => String(t.processed_records)],
  ['FAILED', (t) => String(t.failed_records)],
  ['TOTAL', (t) => (t.total_records == null ? '-' : String(t.total_records))],
  ['CREATED', (t) => t.created_at.replace(/\.\d+Z$/, 'Z')],
  // A scheduled run names its schedule after its file (docs/API.md §4).
  [
    'FILE',
    (t) => `${t.file_name ?? t.file_url}${t.scheduled_task_id ? `  [${t.scheduled_task_id}]` : ''}`,
  ],
];

export const SCHEDULE_COLUMNS = [
  ['ID', (s) => s.id],
  ['ENTITY', (s) => s.entity_type],
  ['INTERVAL', (s) => s.interval],
  ['MODE', (s) => s.job_config?.mode ?? '-'],
  ['ENABLED', (s) => String(s.enabled)],
  ['NEXT RUN', (s) => s.next_run_at?.replace(/\.\d+Z$/, 'Z') ?? '-'],
  ['LAST RUN', (s) => s.last_run_status ?? '-'],
  ['DESTINATION', (s) => s.connection_id],
];

export function printTable(out, tasks, COLUMNS = TASK_COLUMNS) {
  const rows = [
    COLUMNS.map(([h]) => h),
    ...tasks.map((t) => COLUMNS.map(([, cell]) => cell(t) ?? '')),
  ];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) {
    out.write(
      `${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}\n`,
    );
  }
}
