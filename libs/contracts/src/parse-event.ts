import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { FerryError } from './ferry.error';

/**
 * Validates a message payload against its event class. A malformed payload can never become
 * valid on a later delivery, so the error is not retryable: the message goes to the dead letters.
 */
export function parseEvent<T extends object>(cls: new () => T, data: unknown): T {
  const event = plainToInstance(cls, data);
  const errors = typeof data === 'object' && data !== null ? validateSync(event) : [];
  if (typeof data !== 'object' || data === null || errors.length > 0) {
    const why = errors.flatMap((e) =>
      Object.values(e.constraints ?? { [e.property]: 'is invalid' }),
    );
    throw FerryError.validation(`malformed ${cls.name}: ${why.join('; ') || 'not an object'}`);
  }
  return event;
}
