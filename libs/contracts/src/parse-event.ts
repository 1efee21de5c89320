import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

import { FerryError } from './ferry.error';

/**
 * Validates a message payload against its event class. A malformed payload can never become
 * valid on a later delivery, so the error is not retryable: the message goes to the dead letters.
 */
export function parseEvent<T extends object>(cls: new () => T, data: unknown): T {
  const event = plainToInstance(cls, data);
  const errors = typeof data === 'object' && data !== null ? validateSync(event) : [];
  if (typeof data !== 'object' || data === null || errors.length > 0) {
    const why = reasons(errors);
    throw FerryError.validation(`malformed ${cls.name}: ${why.join('; ') || 'not an object'}`);
  }
  return event;
}

/**
 * Every failed constraint, nested ones included: a nested object's errors sit in `children`,
 * not `constraints`, and must still name the field (`counters: failed_records must …`).
 */
function reasons(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (parent ? `${parent}: ${m}` : m));
    const nested = reasons(e.children ?? [], path);
    return own.length + nested.length > 0 ? [...own, ...nested] : [`${path} is invalid`];
  });
}
