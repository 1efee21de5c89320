import { RowErrorCode } from '@ferry/contracts';

import { checkDecimal } from '../../common/cell.reader';
import { invalid, RowProblem, show } from '../../common/row-problem';
import { type PriceTier } from './price.record';

export const TIER_LIMITS = { tiers: 100, json: 64 * 1024 } as const;

function amount(column: string, value: unknown, required: boolean): string | null {
  if (value === undefined || value === null || value === '') {
    if (required) throw invalid(`${column} is required in every tier`);
    return null;
  }
  if (typeof value === 'number') return checkDecimal(column, String(value));
  if (typeof value === 'string') return checkDecimal(column, value.trim());
  throw invalid(`${column} must be a decimal number, not ${show(JSON.stringify(value))}`);
}

/**
 * A `tiers` cell: a JSON array of `{up_to, unit_amount, flat_amount}`, `up_to` rising, only the
 * last tier open-ended (no up_to). Returns the normalised JSON text.
 */
export function parseTiers(column: string, text: string): string {
  if (text.length > TIER_LIMITS.json) {
    throw new RowProblem(
      RowErrorCode.TOO_LONG,
      `${column} is ${text.length} characters long, more than the ${TIER_LIMITS.json} allowed`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid(`${column} ${show(text)} is not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw invalid(
      `${column} must be a non-empty JSON array of {up_to, unit_amount, flat_amount}, not ${show(text)}`,
    );
  }
  if (parsed.length > TIER_LIMITS.tiers)
    throw invalid(
      `${column} has ${parsed.length} tiers, more than the ${TIER_LIMITS.tiers} allowed`,
    );
  const tiers: PriceTier[] = [];
  let previous = 0;
  parsed.forEach((t: unknown, i) => {
    const where = `${column}[${i}]`;
    if (t === null || typeof t !== 'object' || Array.isArray(t))
      throw invalid(`${where} must be an object {up_to, unit_amount, flat_amount}`);
    const tier = t as Record<string, unknown>;
    let upTo: number | null = null;
    const raw = tier['up_to'];
    if (raw !== undefined && raw !== null && raw !== '') {
      const n =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && /^\d{1,15}$/.test(raw.trim())
            ? Number(raw)
            : NaN;
      if (!Number.isSafeInteger(n) || n < 1)
        throw invalid(`${where}.up_to ${show(String(raw))} is not a whole number of at least 1`);
      if (n <= previous)
        throw invalid(`${where}.up_to ${n} must be greater than the previous tier's ${previous}`);
      upTo = n;
      previous = n;
    } else if (i !== parsed.length - 1) {
      throw invalid(`${where}.up_to is required: only the last tier may be open-ended`);
    }
    tiers.push({
      up_to: upTo,
      unit_amount: amount(`${where}.unit_amount`, tier['unit_amount'], true) as string,
      flat_amount: amount(`${where}.flat_amount`, tier['flat_amount'], false),
    });
  });
  return JSON.stringify(tiers);
}
