import { SpanKind } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'http';

import { withSpanFrom } from './trace-context';

/**
 * Express-style middleware: one SERVER span per request, continuing a caller's `traceparent`.
 * Everything the request does — including the task.created message it leaves in the outbox —
 * belongs to that trace.
 */
export function httpTracing() {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    void withSpanFrom(
      req.headers,
      `HTTP ${req.method ?? 'GET'}`,
      SpanKind.SERVER,
      { 'http.request.method': req.method ?? 'GET', 'url.path': (req.url ?? '/').split('?')[0] },
      () =>
        new Promise<void>((resolve) => {
          res.once('finish', resolve);
          res.once('close', resolve);
          next();
        }),
    );
  };
}
