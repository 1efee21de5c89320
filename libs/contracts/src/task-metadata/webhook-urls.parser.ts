import { refuseMetadata, shown } from './metadata-refusal';

/** URLs one task may name in `metadata.webhook_url` (docs/API.md §6). */
export const MAX_TASK_WEBHOOK_URLS = 5;
const MAX_URL_CHARS = 2048;

/**
 * `metadata.webhook_url` of any task: one http(s) URL or an array of up to five, each told when the
 * task ends, besides the environment's registered webhooks (docs/API.md §6). What can be checked
 * without resolving a name is checked here (a 400 at the gateway); the SSRF guard checks the
 * address at each delivery.
 */
export function parseWebhookUrls(
  metadata: Readonly<Record<string, unknown>> | undefined,
): string[] {
  const given = metadata?.['webhook_url'];
  if (given === undefined || given === null) return [];
  const list = Array.isArray(given) ? (given as unknown[]) : [given];
  if (list.length > MAX_TASK_WEBHOOK_URLS) {
    refuseMetadata(
      'webhook_url',
      `metadata.webhook_url names ${list.length} URLs; a task may name at most ${MAX_TASK_WEBHOOK_URLS}`,
    );
  }
  return list.map((u) => checkWebhookUrl(u, 'metadata.webhook_url', 'webhook_url'));
}

/** One webhook URL: http(s), at most 2048 characters, no user name or password. */
export function checkWebhookUrl(u: unknown, name: string, key?: string): string {
  const refuse = (why: string): never => {
    const message = `${name} ${why}, not ${shown(u)}`;
    if (key) refuseMetadata(key, message);
    throw Object.assign(new Error(message), { field: name });
  };
  if (typeof u !== 'string' || u.length > MAX_URL_CHARS) {
    return refuse(`must be an http(s) URL of at most ${MAX_URL_CHARS} characters`);
  }
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    return refuse('must be an http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return refuse('must be an http(s) URL');
  if (url.username || url.password) return refuse('must not carry a user name or password');
  return u;
}
