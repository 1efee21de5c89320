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
  expires_at?: Date | null;
  key_type?: string;
}

export class ApiKeyRepository {
  private readonly repo: Repository<ApiKeyEntity>;

  constructor(ds: DataSource) {
    this.repo = ds.getRepository(ApiKeyEntity);
  }

  /**
   * The unrevoked, unexpired key with this hash, or null. Read on every request, never cached,
   * so a revocation holds on every gateway replica from its commit on (docs/API.md §2).
   */
  async findActiveByHash(hash: string): Promise<ApiKeyEntity | null> {
    const key = await this.repo.findOne({ where: { key_hash: hash, revoked_at: IsNull() } });
    if (key?.expires_at && key.expires_at.getTime() <= Date.now()) return null;
    return key;
  }

  /** Notes the key's use, at most once a minute per key (one small UPDATE, not one per request). */
  async touch(id: string): Promise<void> {
    await this.repo.query(
      `UPDATE api_keys SET last_used_at = now()
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [id],
    );
  }

  /** The scope's keys, newest first, with their total (revoked ones only when asked). */
  async listScoped(
    tenantId: string,
    environmentId: string,
    opts: { revoked: boolean; limit: number; offset: number },
  ): Promise<{ items: ApiKeyEntity[]; total: number }> {
    const [items, total] = await this.repo.findAndCount({
      where: {
        tenant_id: tenantId,
        environment_id: environmentId,
        ...(opts.revoked ? {} : { revoked_at: IsNull() }),
      },
      order: { created_at: 'DESC', id: 'DESC' },
      take: opts.limit,
      skip: opts.offset,
    });
    return { items, total };
  }

  /** Revokes a key of the scope now; null when the scope has no such unrevoked key. */
  async revokeScoped(
    id: string,
    tenantId: string,
    environmentId: string,
  ): Promise<ApiKeyEntity | null> {
    const res = await this.repo.update(
      { id, tenant_id: tenantId, environment_id: environmentId, revoked_at: IsNull() },
      { revoked_at: () => 'now()' },
    );
    if ((res.affected ?? 0) === 0) return null;
    return this.repo.findOneBy({ id });
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
      expires_at: input.expires_at ?? null,
      key_type: input.key_type ?? 'private_key',
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
