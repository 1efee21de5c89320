import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

import { ErrorResponse } from './error-response.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request or operation',
  401: 'Missing or unknown API key',
  403: 'The key lacks the permission',
  404: "No such task (or another tenant's)",
  409: 'Conflict',
  413: 'Too large',
  429: 'Too many requests for this key (see Retry-After)',
  500: 'Internal error',
  503: 'A dependency is unavailable',
};

/** Documents error answers of an endpoint, all in the one ErrorResponse shape. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorResponse }),
    ),
  );
}

/** What every authenticated endpoint may answer. */
export const ApiAuthErrors = () => ApiErrors(401, 403, 429, 500);
