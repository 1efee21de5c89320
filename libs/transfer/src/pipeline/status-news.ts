import {
  ERROR_SUMMARY_MAX_ROWS,
  type RowError,
  type StatusKind,
  summarizeRowErrors,
  type TaskCounters,
} from '@ferry/contracts';
import { type Checkpoint } from '@ferry/persistence';

import { type StatusNews } from './status.publisher';

/** What the status service needs to know after a checkpoint: counters, summary, metadata. */
export function news(
  kind: StatusKind,
  cp: Checkpoint,
  metadata: Record<string, unknown> = {},
): StatusNews {
  return {
    kind,
    seq: cp.seq,
    counters: counters(cp),
    error_summary: summarizeRowErrors(cp.errorSamples, cp.failed),
    metadata: { ...metadata, duplicates: cp.duplicates },
  };
}

/** A task's counters as status events carry them, from a checkpoint or an export's figures. */
export function counters(
  cp: Pick<Checkpoint, 'processed' | 'successful' | 'failed' | 'totalRecords'>,
): TaskCounters {
  return {
    processed_records: cp.processed,
    successful_records: cp.successful,
    failed_records: cp.failed,
    total_records: cp.totalRecords,
  };
}

/** An export's counters: every row it wrote counts as successful, out of `total` rows. */
export function exportCounters(written: number, total: number): TaskCounters {
  return counters({ processed: written, successful: written, failed: 0, totalRecords: total });
}

/**
 * The checkpoint's error samples after a batch: the first rows rejected, in file order, as many
 * as `error_summary` shows (docs/ARCHITECTURE.md invariant 7).
 */
export function sampleErrors(
  kept: Checkpoint['errorSamples'],
  added: RowError[],
): Checkpoint['errorSamples'] {
  if (kept.length >= ERROR_SUMMARY_MAX_ROWS || added.length === 0) return kept;
  const more = added
    .slice(0, ERROR_SUMMARY_MAX_ROWS - kept.length)
    .map((e) => ({ row_number: e.row_number, message: e.message }));
  return kept.concat(more);
}
