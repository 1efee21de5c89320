import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';

import { json, NextFunction, Request, RequestHandler, Response, urlencoded } from 'express';
import type { Observable } from 'rxjs';

import { FerryError, findJsonShapeProblem } from '@ferry/contracts';

const BODY_ERROR = Symbol('ferry.bodyError');

/**
 * Levels of objects and arrays a request body may nest (the body itself is level 1). No route takes
 * more than a few; the bound is here, right after parsing, because everything after it recurses
 * into the body (the validation pipe's class-transformer, the Idempotency-Key hash), and a body
 * nested thousands of levels deep overflowed the stack: a 500 instead of a 400 (docs/API.md §1).
 */
export const MAX_BODY_DEPTH = 32;

type WithBodyError = Request & { [BODY_ERROR]?: unknown };

/**
 * Nest's JSON and form parsers, except that a body that does not parse (malformed JSON, over the
 * size limit) is not answered here, before the API key guard ran: the error waits on the request
 * and `BodyErrorInterceptor` throws it after the guard. So a request without a valid key is a 401,
 * whatever its body, and the same input always gets the same status (docs/API.md §1, §2). A body
 * nested deeper than MAX_BODY_DEPTH waits the same way, as a 400.
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
      parsers[1](req, res, (err2?: unknown) => {
        if (err2) return defer(err2);
        const shape = findJsonShapeProblem(req.body, { maxDepth: MAX_BODY_DEPTH }, '');
        if (!shape) return next();
        const message = `The JSON body nests objects and arrays more than ${MAX_BODY_DEPTH} levels deep (at ${shape.path})`;
        defer(FerryError.validation(message, { fields: { body: [message] } }));
      });
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
