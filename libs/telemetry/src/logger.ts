import { ConsoleLogger, type LoggerService, type LogLevel } from '@nestjs/common';

import pino, { type Logger as Pino } from 'pino';

import { logContext } from './log-context';
import { redactSecrets } from './redact';
import { currentTraceId } from './trace-context';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const PINO_LEVEL: Record<string, string> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * Nest's logger interface over pino: one JSON line per entry on stdout with the service, the
 * Nest context, the trace id and the unit of work's fields (task_id, tenant_id), and secrets
 * (presigned query strings, credentials in URLs, API keys) redacted.
 */
export class JsonLogger implements LoggerService {
  constructor(private readonly pino: Pino) {}

  log(message: unknown, ...rest: unknown[]) {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.write('fatal', message, rest);
  }

  private write(
    level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    rest: unknown[],
  ) {
    // Nest passes (message, context) or, for errors, (message, stack, context).
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    const stack =
      level === 'error' && rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : undefined;
    const text =
      message instanceof Error
        ? message.message
        : typeof message === 'string'
          ? message
          : JSON.stringify(message);
    this.pino[level](
      { context, ...(stack ? { stack: redactSecrets(stack) } : {}) },
      redactSecrets(text),
    );
  }
}

/** The service's logger: JSON lines (default), or Nest's coloured text with FERRY_LOG_FORMAT=text. */
export function createLogger(
  service: string,
  level = 'log',
  destination: pino.DestinationStream = pino.destination(1),
): LoggerService {
  if (process.env['FERRY_LOG_FORMAT'] === 'text') {
    const cut = Math.max(0, LEVELS.indexOf(level as LogLevel));
    return new ConsoleLogger(service, { logLevels: LEVELS.slice(0, cut + 1) });
  }
  return new JsonLogger(
    pino(
      {
        level: PINO_LEVEL[level] ?? 'info',
        base: { service },
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        mixin: () => {
          const trace_id = currentTraceId();
          return { ...logContext(), ...(trace_id ? { trace_id } : {}) };
        },
      },
      destination,
    ),
  );
}
