import { FerryError } from '../ferry.error';
import { checkRfc3339, describeTimestampProblem, TimestampProblem } from '../rfc3339.parser';

/** The longest custom window `POST /v1/tasks/scheduled/{id}/run` takes (docs/API.md §4). */
export const MAX_RUN_WINDOW_MS = 366 * 86_400_000;

function refuse(field: string, message: string): never {
  throw FerryError.validation(message, { fields: { [field]: [message] } });
}

/**
 * The body of a forced run: nothing (run now) or a custom window with both ends, RFC 3339,
 * end after start, end not after `now`, at most a year long. Else a 400 sentence.
 */
export function parseRunWindow(
  body: { start_time?: unknown; end_time?: unknown } | undefined,
  now: Date,
): { start: Date; end: Date } | null {
  const read = (key: 'start_time' | 'end_time'): Date | null => {
    const v = body?.[key];
    if (v === undefined || v === null || v === '') return null;
    if (typeof v !== 'string') refuse(key, `${key} must be an RFC 3339 string`);
    const problem = checkRfc3339(v);
    if (problem !== TimestampProblem.None) refuse(key, describeTimestampProblem(key, v, problem));
    return new Date(v);
  };
  const start = read('start_time');
  const end = read('end_time');
  if (start === null && end === null) return null;
  if (start === null)
    refuse('start_time', 'start_time is required with end_time (a custom run needs both ends)');
  if (end === null)
    refuse('end_time', 'end_time is required with start_time (a custom run needs both ends)');
  if (end.getTime() <= start.getTime()) refuse('end_time', 'end_time must be after start_time');
  if (end.getTime() > now.getTime()) refuse('end_time', 'end_time must not be in the future');
  if (end.getTime() - start.getTime() > MAX_RUN_WINDOW_MS) {
    refuse('end_time', 'a custom run covers at most a year (366 days)');
  }
  return { start, end };
}
