import { ConfigError } from '@ferry/config';

import { startTracing } from './tracing';

/**
 * Runs a service's start-up (tracing first, so every module is traced); a bad configuration or a failed start ends the process with a
 * message and exit code 1 instead of an unhandled rejection.
 */
export function runOrExit(service: string, start: () => Promise<void>): void {
  startTracing(service);
  start().catch((err: unknown) => {
    const text =
      err instanceof ConfigError
        ? `${service} refuses to start. ${err.message}`
        : `${service} failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    process.stderr.write(text + '\n');
    process.exit(1);
  });
}
