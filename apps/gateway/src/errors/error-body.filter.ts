import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';

import type { Response } from 'express';

import { ErrorCode, FerryError } from '@ferry/contracts';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  [HttpStatus.BAD_REQUEST]: ErrorCode.VALIDATION,
  [HttpStatus.UNAUTHORIZED]: ErrorCode.PERMISSION_DENIED,
  [HttpStatus.FORBIDDEN]: ErrorCode.PERMISSION_DENIED,
  [HttpStatus.NOT_FOUND]: ErrorCode.NOT_FOUND,
  [HttpStatus.CONFLICT]: ErrorCode.ALREADY_EXISTS,
  [HttpStatus.TOO_MANY_REQUESTS]: ErrorCode.TOO_MANY_REQUESTS,
  [HttpStatus.SERVICE_UNAVAILABLE]: ErrorCode.SERVICE_UNAVAILABLE,
};

/** Every error leaves the gateway in the one shape of docs/API.md §1, whatever threw it. */
@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  private readonly logger = new Logger(ErrorBodyFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const error = this.toFerryError(exception);
    if (error.httpStatus >= 500) {
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : exception,
      );
    }
    res.status(error.httpStatus).json(error.toBody());
  }

  private toFerryError(exception: unknown): FerryError {
    if (exception instanceof FerryError) return exception;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return new FerryError(codeFor(status), httpMessage(exception), {}, status);
    }
    const clientStatus = exposedClientStatus(exception);
    if (clientStatus !== undefined) {
      return new FerryError(codeFor(clientStatus), (exception as Error).message, {}, clientStatus);
    }
    return new FerryError(
      ErrorCode.INTERNAL,
      'An internal error occurred; it has been logged',
      {},
      500,
    );
  }
}

function codeFor(status: number): ErrorCode {
  return (
    CODE_BY_STATUS[status] ?? (status >= 500 ? ErrorCode.INTERNAL : ErrorCode.INVALID_OPERATION)
  );
}

/**
 * Express middleware errors that are the client's fault (body-parser's 413 for a body over the
 * limit, 415 for an unknown charset) are not HttpExceptions; they carry `status` and mark their
 * message safe to show with `expose`. Without this they would be answered as a 500.
 */
function exposedClientStatus(exception: unknown): number | undefined {
  if (!(exception instanceof Error)) return undefined;
  const { status, expose } = exception as Error & { status?: unknown; expose?: unknown };
  return expose === true && typeof status === 'number' && status >= 400 && status < 500
    ? status
    : undefined;
}

function httpMessage(exception: HttpException): string {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}
