import { ConfigError } from './load-config';

/**
 * Runs a service's start-up; a bad configuration or a failed start ends the process with a
 * message and exit code 1 instead of an unhandled rejection.
 */
export function runOrExit(service: string, start: () => Promise<void>): void {
  start().catch((err: unknown) => {
    const text =
      err instanceof ConfigError
        ? `${service} refuses to start. ${err.message}`
        : `${service} failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    process.stderr.write(text + '\n');
    process.exit(1);
  });
}
