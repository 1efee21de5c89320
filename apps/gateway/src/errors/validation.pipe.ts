import { type ValidationError, ValidationPipe } from '@nestjs/common';

import { FerryError } from '@ferry/contracts';

/**
 * The one global pipe: DTOs are validated and converted by class-validator; a bad value becomes a
 * 400 `validation_error` naming every bad field in `details.fields`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors: ValidationError[]) => {
      const fields: Record<string, string[]> = {};
      collect(errors, '', fields);
      const first = Object.entries(fields)[0];
      const message = first ? `${first[1][0]}` : 'The request is not valid';
      return FerryError.validation(message, { fields });
    },
  });
}

function collect(errors: ValidationError[], prefix: string, out: Record<string, string[]>): void {
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) out[path] = Object.values(e.constraints);
    if (e.children?.length) collect(e.children, path, out);
  }
}
