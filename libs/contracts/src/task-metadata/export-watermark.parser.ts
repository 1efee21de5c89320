import { refuseMetadata, shown } from './metadata-refusal';

/**
 * The rows an incremental export takes (docs/FORMATS.md §3): those whose last write was made by a
 * transaction id in `[from, to)` (`written_xid` of the entity tables, PostgreSQL's 64-bit
 * transaction ids as decimal strings). A schedule in `incremental` mode writes both keys into
 * each run's metadata; any export may carry them.
 */
export interface WatermarkRange {
  from: string;
  to: string;
}

const XID8 = /^(0|[1-9]\d{0,19})$/;

/** `metadata.watermark_from` and `watermark_to`: both or neither, from ≤ to; else a 400 sentence. */
export function parseWatermarkRange(
  metadata: Readonly<Record<string, unknown>>,
): WatermarkRange | null {
  const read = (key: 'watermark_from' | 'watermark_to'): string | null => {
    const v = metadata[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || !XID8.test(v) || BigInt(v) >= 2n ** 64n) {
      refuseMetadata(key, `metadata.${key} must be a transaction id (digits), not ${shown(v)}`);
    }
    return v;
  };
  const from = read('watermark_from');
  const to = read('watermark_to');
  if (from === null && to === null) return null;
  if (from === null || to === null) {
    const missing = from === null ? 'watermark_from' : 'watermark_to';
    refuseMetadata(missing, `metadata.${missing} is required with the other watermark key`);
  }
  if (BigInt(from) > BigInt(to)) {
    refuseMetadata(
      'watermark_from',
      `metadata.watermark_from ${shown(from)} must not be after metadata.watermark_to ${shown(to)}`,
    );
  }
  return { from, to };
}
