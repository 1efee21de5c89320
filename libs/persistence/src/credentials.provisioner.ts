import { type DataSource, type EntityManager } from 'typeorm';

import { ALL_PERMISSIONS, newId, type Permission } from '@ferry/contracts';

import { generateApiKey } from './api-key.hash';
import { EnvironmentEntity } from './entities/environment.entity';
import { TenantEntity } from './entities/tenant.entity';
import { ApiKeyRepository } from './repositories/api-key.repository';

export interface ProvisionCredentialsInput {
  tenantName?: string;
  environmentName?: string;
  userId?: string;
  permissions?: readonly Permission[];
  /** A key to register; generated when absent. */
  apiKey?: string;
  keyName?: string;
}

export interface ProvisionedCredentials {
  tenantId: string;
  environmentId: string;
  userId: string;
  keyId: string;
  /** The plaintext key: shown once, never stored. */
  apiKey: string;
}

/**
 * A new tenant with one environment and one key, in one transaction. For operators' tooling and
 * tests that need a second tenant or a key with fewer permissions.
 */
export async function provisionCredentials(
  ds: DataSource,
  input: ProvisionCredentialsInput = {},
): Promise<ProvisionedCredentials> {
  return ds.transaction(async (manager) => {
    const { tenantId, environmentId } = await insertTenantWithEnvironment(
      manager,
      input.tenantName ?? 'tenant',
      input.environmentName ?? 'default',
    );
    const userId = input.userId ?? newId('user');
    const apiKey = input.apiKey ?? generateApiKey();
    const key = await new ApiKeyRepository(ds).insert(
      {
        tenant_id: tenantId,
        environment_id: environmentId,
        user_id: userId,
        name: input.keyName ?? 'default',
        permissions: input.permissions ?? ALL_PERMISSIONS,
        key: apiKey,
      },
      manager,
    );
    return { tenantId, environmentId, userId, keyId: key.id, apiKey };
  });
}

/** Inserts a tenant and its first environment on the caller's transaction. */
export async function insertTenantWithEnvironment(
  manager: EntityManager,
  tenantName: string,
  environmentName: string,
): Promise<{ tenantId: string; environmentId: string }> {
  const tenantId = newId('tenant');
  const environmentId = newId('env');
  await manager.insert(TenantEntity, { id: tenantId, name: tenantName });
  await manager.insert(EnvironmentEntity, {
    id: environmentId,
    tenant_id: tenantId,
    name: environmentName,
  });
  return { tenantId, environmentId };
}
