import { parseArgs } from 'util';

import { provisionCredentials } from './credentials.provisioner';
import { createDataSource } from './data-source.factory';
import { runPendingMigrations } from './migration.runner';

const USAGE =
  'usage: ferry admin create-tenant --name <tenant> [--environment <name>] [--key-name <name>]';

/**
 * The operator's command (docs/API.md §2), apart from `process` so it can be tested:
 * `create-tenant` makes a tenant, its first environment and its first key (with every permission,
 * `key:manage` included, so the tenant makes its other keys over the API) in one transaction, and
 * prints them as one JSON object; the key is shown this once. Reads DATABASE_URL; migrates first.
 * Returns the exit code.
 */
export async function adminCommand(
  env: Record<string, string | undefined>,
  argv: readonly string[],
  print: (line: string) => void,
): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb !== 'create-tenant') {
    print(USAGE);
    return 2;
  }
  let values: { name?: string; environment?: string; 'key-name'?: string };
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: {
        name: { type: 'string' },
        environment: { type: 'string' },
        'key-name': { type: 'string' },
      },
    }));
  } catch (err) {
    print(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (!values.name) {
    print(`--name is required\n${USAGE}`);
    return 2;
  }
  const url = env['DATABASE_URL'];
  if (!url) {
    print('DATABASE_URL is not set');
    return 2;
  }
  const ds = createDataSource({ url, poolSize: 2, applicationName: 'ferry-admin' });
  await ds.initialize();
  try {
    await runPendingMigrations(ds);
    const made = await provisionCredentials(ds, {
      tenantName: values.name,
      environmentName: values.environment ?? 'default',
      keyName: values['key-name'] ?? 'admin',
    });
    print(
      JSON.stringify({
        tenant_id: made.tenantId,
        environment_id: made.environmentId,
        key_id: made.keyId,
        api_key: made.apiKey,
      }),
    );
    return 0;
  } catch (err) {
    print(`create-tenant failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await ds.destroy();
  }
}
