import { ConsoleLogger, LogLevel } from '@nestjs/common';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** JSON lines on stdout, one per entry, at `level` and above. */
export function createLogger(service: string, level = 'log'): ConsoleLogger {
  const cut = Math.max(0, LEVELS.indexOf(level as LogLevel));
  return new ConsoleLogger(service, {
    json: process.env['FERRY_LOG_FORMAT'] !== 'text',
    logLevels: LEVELS.slice(0, cut + 1),
  });
}
