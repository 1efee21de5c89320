/**
 * Removes secrets from text bound for logs or error summaries: URL query strings (presigned
 * credentials), user:password in URLs, and Ferry API keys.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@"']+@/gi, '$1<redacted>@')
    .replace(/\b((?:https?|s3|store):\/\/[^\s?"'<>]+)\?[^\s"'<>]*/gi, '$1?<redacted>')
    .replace(/\bfry_[A-Za-z0-9_-]{8,}/g, 'fry_<redacted>');
}
