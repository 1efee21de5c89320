/** One operation of the gateway's OpenAPI document, as the isolation matrix names it. */
export interface DocumentedOperation {
  /** `METHOD /path/{param}`, e.g. `GET /v1/tasks/{id}`. */
  route: string;
  /** Whether the operation needs the `x-api-key` (security scheme ApiKeyAuth). */
  secured: boolean;
  /** The permission the gateway writes into `x-ferry-permission`, if any. */
  permission?: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** Every operation the running gateway documents at `/docs-json`. */
export async function documentedOperations(baseUrl: string): Promise<DocumentedOperation[]> {
  const res = await fetch(`${baseUrl}/docs-json`);
  if (res.status !== 200) throw new Error(`GET /docs-json answered ${res.status}`);
  const doc = (await res.json()) as { paths: Record<string, Record<string, any>> };
  const out: DocumentedOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const security: Array<Record<string, unknown>> = op.security ?? [];
      out.push({
        route: `${method.toUpperCase()} ${path}`,
        secured: security.some((s) => 'ApiKeyAuth' in s),
        permission: op['x-ferry-permission'],
      });
    }
  }
  return out;
}
