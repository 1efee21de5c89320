import { type DataSource, type EntityManager } from 'typeorm';

import { ALL_PERMISSIONS } from '@ferry/contracts';

import { ADVISORY_LOCKS } from './advisory-locks';
import { generateApiKey, hashApiKey } from './api-key.hash';
import { insertTenantWithEnvironment } from './credentials.provisioner';
import { ApiKeyEntity } from './entities/api-key.entity';
import { EnvironmentEntity } from './entities/environment.entity';
import { TenantEntity } from './entities/tenant.entity';
import { ApiKeyRepository } from './repositories/api-key.repository';

export const DEFAULT_TENANT_NAME = 'default';
export const DEFAULT_ENVIRONMENT_NAME = 'default';
export const DEFAULT_USER_ID = 'user_default';

export interface DefaultCredentialsResult {
  /** True when a key was inserted by this call. */
  created: boolean;
  /** Set only for a key generated here, to print once; a given key is never echoed. */
  apiKey?: string;
  tenantId: string;
  environmentId: string;
}

type Scope = { tenantId: string; environmentId: string };

/**
 * Makes a fresh installation usable: with no API key at all, creates the default tenant and
 * environment and a key with every permission (the given one, or a generated one); a given key
 * whose hash is unknown is added to the default tenant, so a fixed FERRY_API_KEY always works.
 * Every service calls this at boot; the transaction-level advisory lock makes them take turns.
 */
export async function ensureDefaultCredentials(
  ds: DataSource,
  opts: { apiKey?: string } = {},
): Promise<DefaultCredentialsResult> {
  return ds.transaction(async (manager) => {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.defaultCredentials]);

    if (opts.apiKey) {
      const known = await manager.findOne(ApiKeyEntity, {
        where: { key_hash: hashApiKey(opts.apiKey) },
      });
      if (known) {
        return { created: false, tenantId: known.tenant_id, environmentId: known.environment_id };
      }
      const scope = await findOrCreateDefaultScope(manager);
      await insertDefaultKey(ds, manager, scope, opts.apiKey);
      return { created: true, ...scope };
    }

    const anyKey = await manager.find(ApiKeyEntity, {
      order: { created_at: 'ASC', id: 'ASC' },
      take: 1,
    });
    if (anyKey.length > 0) {
      const scope = (await findDefaultScope(manager)) ?? {
        tenantId: anyKey[0].tenant_id,
        environmentId: anyKey[0].environment_id,
      };
      return { created: false, ...scope };
    }
    const scope = await findOrCreateDefaultScope(manager);
    const apiKey = generateApiKey();
    await insertDefaultKey(ds, manager, scope, apiKey);
    return { created: true, apiKey, ...scope };
  });
}

async function insertDefaultKey(
  ds: DataSource,
  manager: EntityManager,
  scope: Scope,
  key: string,
): Promise<void> {
  await new ApiKeyRepository(ds).insert(
    {
      tenant_id: scope.tenantId,
      environment_id: scope.environmentId,
      user_id: DEFAULT_USER_ID,
      name: 'default',
      permissions: ALL_PERMISSIONS,
      key,
    },
    manager,
  );
}

/** The oldest tenant named `default` and its oldest environment named `default`. */
async function findDefaultScope(manager: EntityManager): Promise<Scope | null> {
  const tenant = await manager.findOne(TenantEntity, {
    where: { name: DEFAULT_TENANT_NAME },
    order: { created_at: 'ASC', id: 'ASC' },
  });
  if (!tenant) return null;
  const env = await manager.findOne(EnvironmentEntity, {
    where: { tenant_id: tenant.id, name: DEFAULT_ENVIRONMENT_NAME },
    order: { created_at: 'ASC', id: 'ASC' },
  });
  return env ? { tenantId: tenant.id, environmentId: env.id } : null;
}

async function findOrCreateDefaultScope(manager: EntityManager): Promise<Scope> {
  return (
    (await findDefaultScope(manager)) ??
    insertTenantWithEnvironment(manager, DEFAULT_TENANT_NAME, DEFAULT_ENVIRONMENT_NAME)
  );
}
