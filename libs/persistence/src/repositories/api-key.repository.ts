import { type DataSource, type EntityManager, IsNull, type Repository } from 'typeorm';

import { newId, type Permission } from '@ferry/contracts';

import { apiKeyDisplayPrefix, hashApiKey } from '../api-key.hash';
import { ApiKeyEntity } from '../entities/api-key.entity';

export interface NewApiKey {
  tenant_id: string;
  environment_id: string;
  user_id: string;
  name: string;
  permissions: readonly Permission[];
  /** The plaintext key; only its hash and display prefix are stored. */
  key: string;
}

export class ApiKeyRepository {
  private readonly repo: Repository<ApiKeyEntity>;

  constructor(ds: DataSource) {
    this.repo = ds.getRepository(ApiKeyEntity);
  }

  /** The unrevoked key with this hash, or null. */
  findActiveByHash(hash: string): Promise<ApiKeyEntity | null> {
    return this.repo.findOne({ where: { key_hash: hash, revoked_at: IsNull() } });
  }

  /** `manager` lets the insert join a caller's transaction. */
  async insert(
    input: NewApiKey,
    manager: EntityManager = this.repo.manager,
  ): Promise<ApiKeyEntity> {
    const entity = manager.create(ApiKeyEntity, {
      id: newId('key'),
      tenant_id: input.tenant_id,
      environment_id: input.environment_id,
      user_id: input.user_id,
      name: input.name,
      key_hash: hashApiKey(input.key),
      key_prefix: apiKeyDisplayPrefix(input.key),
      permissions: [...input.permissions],
      revoked_at: null,
    });
    await manager.insert(ApiKeyEntity, entity);
    return manager.findOneByOrFail(ApiKeyEntity, { id: entity.id });
  }

  /** True when a key was revoked now (false: unknown or already revoked). */
  async revoke(id: string): Promise<boolean> {
    const res = await this.repo.update({ id, revoked_at: IsNull() }, { revoked_at: () => 'now()' });
    return (res.affected ?? 0) > 0;
  }
}
