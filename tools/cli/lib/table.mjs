// `ferry tasks`: a fixed set of columns, padded to the widest cell.

const COLUMNS = [
  ['ID', (t) => t.id],
  ['TYPE', (t) => t.task_type],
  ['ENTITY', (t) => t.entity_type],
  ['STATUS', (t) => t.task_status],
  ['PROCESSED', (t) => String(t.processed_records)],
  ['FAILED', (t) => String(t.failed_records)],
  ['TOTAL', (t) => (t.total_records == null ? '-' : String(t.total_records))],
  ['CREATED', (t) => t.created_at.replace(/\.\d+Z$/, 'Z')],
  ['FILE', (t) => t.file_name ?? t.file_url],
];

export function printTable(out, tasks) {
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
