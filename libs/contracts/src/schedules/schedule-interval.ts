import { Cron } from 'croner';

/**
 * The intervals of a scheduled export (docs/API.md §4): Flexprice's `15MIN`, `hourly`, `daily`,
 * plus `30MIN`, `weekly` (ISO weeks, from Monday) and `monthly`. Exact on the wire.
 */
export enum ScheduleInterval {
  FIFTEEN_MIN = '15MIN',
  THIRTY_MIN = '30MIN',
  HOURLY = 'hourly',
  DAILY = 'daily',
  WEEKLY = 'weekly',
  MONTHLY = 'monthly',
}

/** Each interval as a cron pattern in UTC: its slots run from one match to the next. */
export const INTERVAL_CRON: Readonly<Record<ScheduleInterval, string>> = {
  [ScheduleInterval.FIFTEEN_MIN]: '*/15 * * * *',
  [ScheduleInterval.THIRTY_MIN]: '*/30 * * * *',
  [ScheduleInterval.HOURLY]: '0 * * * *',
  [ScheduleInterval.DAILY]: '0 0 * * *',
  [ScheduleInterval.WEEKLY]: '0 0 * * 1',
  [ScheduleInterval.MONTHLY]: '0 0 1 * *',
};

/** One slot of a schedule: the window `[start, end)` it exports. */
export interface Slot {
  start: Date;
  end: Date;
}

const patterns = new Map<ScheduleInterval, Cron>();

/** croner does the calendar (month lengths, leap years); a paused job never fires a timer. */
function cronOf(interval: ScheduleInterval): Cron {
  let cron = patterns.get(interval);
  if (!cron) {
    cron = new Cron(INTERVAL_CRON[interval], { timezone: 'UTC', paused: true });
    patterns.set(interval, cron);
  }
  return cron;
}

/** The slot that holds `t` (a slot includes its start and excludes its end). */
export function slotContaining(interval: ScheduleInterval, t: Date): Slot {
  const cron = cronOf(interval);
  const whole = new Date(Math.floor(t.getTime() / 60_000) * 60_000);
  const start = cron.match(whole) ? whole : cron.previousRuns(1, whole)[0];
  return { start, end: slotEnd(interval, start) };
}

/** The end of the slot that starts at `start` (the next match of the pattern). */
export function slotEnd(interval: ScheduleInterval, start: Date): Date {
  const next = cronOf(interval).nextRun(start);
  if (!next) throw new Error(`the ${interval} pattern has no run after ${start.toISOString()}`);
  return next;
}

/** The slot right after `slot`. */
export function nextSlot(interval: ScheduleInterval, slot: Slot): Slot {
  return { start: slot.end, end: slotEnd(interval, slot.end) };
}

/** The slot right before `slot`. */
export function previousSlot(interval: ScheduleInterval, slot: Slot): Slot {
  return slotContaining(interval, new Date(slot.start.getTime() - 1));
}

/** Whether the slot starting at `start` is due at `now`: its export runs `lagMs` after its end. */
export function isDue(interval: ScheduleInterval, start: Date, now: Date, lagMs: number): boolean {
  return slotEnd(interval, start).getTime() + lagMs <= now.getTime();
}

/**
 * Where catch-up starts after a downtime (docs/API.md §4: bounded). At most `max` due slots are
 * run, the newest ones: when more are due at `now`, the cursor (the start of the next slot to
 * run) moves forward to the oldest of the last `max`, and `skipped` says how many older slots
 * were left out.
 */
export function catchUpFrom(
  interval: ScheduleInterval,
  cursor: Date,
  now: Date,
  lagMs: number,
  max: number,
): { cursor: Date; skipped: number } {
  // The newest due slot ends at or before now - lag: it is the one before the slot holding that.
  let earliest = previousSlot(interval, slotContaining(interval, new Date(now.getTime() - lagMs)));
  for (let i = 1; i < max; i++) earliest = previousSlot(interval, earliest);
  if (cursor.getTime() >= earliest.start.getTime()) return { cursor, skipped: 0 };
  let skipped = 0;
  for (let s = cursor; s.getTime() < earliest.start.getTime(); s = slotEnd(interval, s)) skipped++;
  return { cursor: earliest.start, skipped };
}

/** The name Flexprice gives a file's window ends: `YYMMDDHHMMSS` in UTC. */
export function fileTime(t: Date): string {
  return t.toISOString().replace(/[-:T]/g, '').slice(2, 14);
}
