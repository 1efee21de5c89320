import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads a config class from the environment and validates it once, at boot. Every bad variable is
 * listed in one error, so an operator fixes them all in one go rather than one per restart.
 * Property names are the environment variable names.
 */
export function loadConfig<T extends object>(
  cls: new () => T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const defaults = new cls() as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) {
    const value = env[key];
    raw[key] = value === undefined || value === '' ? defaults[key] : coerce(value, defaults[key]);
  }
  const config = plainToInstance(cls, raw);
  const errors = validateSync(config, { forbidUnknownValues: false });
  if (errors.length > 0) throw new ConfigError(flatten(errors));
  return config;
}

/** Converts a variable to the type of its default (numbers, booleans); the validators judge the result. */
function coerce(value: string, fallback: unknown): unknown {
  if (typeof fallback === 'number') return value.trim() === '' ? value : Number(value);
  if (typeof fallback === 'boolean') {
    const v = value.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
  }
  return value;
}

function flatten(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => {
    const value = /KEY|SECRET|PASSWORD/.test(e.property) ? '***' : JSON.stringify(e.value);
    const reasons = Object.values(e.constraints ?? {}).join('; ');
    return [`${e.property}=${value}: ${reasons}`];
  });
}
