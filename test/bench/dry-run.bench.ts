/**
 * The dry run against the real import of the same events file (docs/API.md §5), POST → COMPLETED
 * through all four services, in one run on one machine: the dry run first (nothing written), then
 * the import into the same, still empty, environment. Also a part of `npm run bench`.
 *
 *   npm run bench -- --only dry-run --rows 1000000
 */
import { type FerryApi } from '../support/api';

export interface DryRunFigures {
  rows: number;
  dry_run_seconds: number;
  import_seconds: number;
  ratio_import_to_dry_run: number;
}

export function onlyDryRun(): boolean {
  const i = process.argv.indexOf('--only');
  return i >= 0 && process.argv[i + 1] === 'dry-run';
}

async function timed(api: FerryApi, fileUrl: string, metadata: Record<string, unknown>) {
  const t0 = Date.now();
  const created = await api.createTask({
    task_type: 'IMPORT',
    entity_type: 'EVENTS',
    file_type: 'CSV',
    file_url: fileUrl,
    metadata,
  });
  const done = await api.waitForTask(created.body.id, 30 * 60_000);
  if (done.task_status !== 'COMPLETED') throw new Error(`not completed: ${JSON.stringify(done)}`);
  return { seconds: (Date.now() - t0) / 1000, done };
}

/** Dry run, then the real import, of the file at `fileUrl` (`rows` rows, no duplicates). */
export async function benchDryRun(
  api: FerryApi,
  fileUrl: string,
  rows: number,
): Promise<DryRunFigures> {
  // A first, untimed dry run warms the services up (JIT, the file in the page cache, PostgreSQL's
  // caches): otherwise the timed dry run, coming first, pays that for the import after it.
  await timed(api, fileUrl, { dry_run: true });
  const dry = await timed(api, fileUrl, { dry_run: true });
  const real = await timed(api, fileUrl, {});
  for (const t of [dry.done, real.done]) {
    if (t.successful_records !== rows) throw new Error(`unexpected counters: ${JSON.stringify(t)}`);
  }
  return {
    rows,
    dry_run_seconds: dry.seconds,
    import_seconds: real.seconds,
    ratio_import_to_dry_run: Number((real.seconds / dry.seconds).toFixed(2)),
  };
}

/**
 * The dry run's line of the bench table (docs/PERFORMANCE.md), from the full bench or from
 * `--only dry-run` (which names itself and the time, since the rest of the table is older).
 */
export function dryRunTableLine(dry: number, real: number, ratio: number, note = ''): string {
  return `| dry run of the CSV (\`metadata.dry_run\`) vs the import (import ÷ dry run)${note} | ${dry.toFixed(2)} s | ${real.toFixed(2)} s | **${ratio}× faster** | ≥ 2× |`;
}

/** Replaces the dry run's line of the table between `begin` and `end` in `doc`. */
export function withDryRunLine(doc: string, line: string, begin: string, end: string): string {
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) return doc;
  const table = doc
    .slice(a, b)
    .split('\n')
    .map((l) => (l.startsWith('| dry run of the CSV') ? line : l))
    .join('\n');
  return doc.slice(0, a) + table + doc.slice(b);
}

export function printDryRun(f: DryRunFigures): void {
  console.log('\n| events CSV, POST → COMPLETED | time | rows/s |');
  console.log('|---|---|---|');
  console.log(
    `| dry run (\`metadata.dry_run\`) | ${f.dry_run_seconds.toFixed(2)} s | ${Math.round(f.rows / f.dry_run_seconds)} |`,
  );
  console.log(
    `| import of the same file | ${f.import_seconds.toFixed(2)} s | ${Math.round(f.rows / f.import_seconds)} |`,
  );
  console.log(`| ratio import / dry run | ${f.ratio_import_to_dry_run} | |`);
}
