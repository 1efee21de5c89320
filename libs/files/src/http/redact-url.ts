/**
 * A URL safe to show in messages and logs: presigned URLs carry their credentials in the query
 * string (and some in user:password@), so both are hidden; scheme, host and path stay so the
 * user can still tell which file was meant.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const q = url.search(/[?#]/);
    const head = q === -1 ? url : url.slice(0, q);
    const noUser = head.replace(/\/\/[^/@]*@/, '//');
    return q !== -1 && url[q] === '?' ? `${noUser}?<redacted>` : noUser;
  }
  const hadQuery = parsed.search.length > 1;
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return hadQuery ? `${parsed.toString()}?<redacted>` : parsed.toString();
}
