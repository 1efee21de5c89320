import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';

import { json, NextFunction, Request, RequestHandler, Response, urlencoded } from 'express';
import type { Observable } from 'rxjs';

const BODY_ERROR = Symbol('ferry.bodyError');
type WithBodyError = Request & { [BODY_ERROR]?: unknown };

/**
 * Nest's JSON and form parsers, except that a body that does not parse (malformed JSON, over the
 * size limit) is not answered here, before the API key guard ran: the error waits on the request
 * and `BodyErrorInterceptor` throws it after the guard. So a request without a valid key is a 401,
 * whatever its body, and the same input always gets the same status (docs/API.md §1, §2).
 * `skip` names requests whose body a handler streams itself (uploads).
 */
export function deferredBodyParsers(skip: (req: Request) => boolean): RequestHandler {
  const parsers = [json(), urlencoded({ extended: true })];
  return (req: Request, res: Response, next: NextFunction) => {
    if (skip(req)) return next();
    const defer = (err: unknown): void => {
      (req as WithBodyError)[BODY_ERROR] = err;
      next();
    };
    parsers[0](req, res, (err?: unknown) => {
      if (err) return defer(err);
      parsers[1](req, res, (err2?: unknown) => (err2 ? defer(err2) : next()));
    });
  };
}

/** Throws a body parser's error once the guard has let the request through (see above). */
@Injectable()
export class BodyErrorInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<WithBodyError>();
    if (req[BODY_ERROR] !== undefined) throw req[BODY_ERROR];
    return next.handle();
  }
}
