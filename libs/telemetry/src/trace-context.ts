import {
  type Attributes,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

const tracer = () => trace.getTracer('ferry');

/** The active trace context as headers (`traceparent`, `tracestate`) for a message or request. */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The active span's trace id, or undefined outside a span. */
export function currentTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}

/**
 * Runs `fn` in a span that continues the trace carried by `headers` (a NATS message's or an HTTP
 * request's), so one trace follows a task from the HTTP request through every service.
 */
export function withSpanFrom<T>(
  headers: Record<string, string | string[] | undefined>,
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  return tracer().startActiveSpan(name, { kind, attributes }, parent, (span) =>
    endingSpan(span, fn, true),
  );
}

/** Runs `fn` in a child span of the active one (e.g. one batch write). */
export function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, (span) => endingSpan(span, fn, false));
}

/** Runs `fn`, marks the span failed when it throws (with the exception when asked), ends it. */
async function endingSpan<T>(
  span: Span,
  fn: () => Promise<T>,
  recordException: boolean,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (recordException) span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: err instanceof Error ? err.message : String(err),
    });
    throw err;
  } finally {
    span.end();
  }
}

export { SpanKind };
