import { FerryError } from '../ferry.error';

/**
 * The refusal of one metadata option: a validation error whose sentence names the key and value,
 * with `details.fields` keyed `metadata.<key>` as the gateway's other 400s name their fields
 * (docs/API.md §1). A worker that meets it fails the task with the same sentence.
 */
export function refuseMetadata(key: string, message: string): never {
  throw FerryError.validation(message, { fields: { [`metadata.${key}`]: [message] } });
}

/** A value as a message quotes it: JSON, cut at 64 characters. */
export function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
