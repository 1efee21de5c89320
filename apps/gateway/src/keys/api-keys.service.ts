import { Injectable } from '@nestjs/common';

import { DataSource } from 'typeorm';

import {
  checkRfc3339,
  describeTimestampProblem,
  FerryError,
  newId,
  Permission,
  TASK_PERMISSIONS,
  TimestampProblem,
} from '@ferry/contracts';
import {
  type ApiKeyEntity,
  ApiKeyRepository,
  EnvironmentEntity,
  generateApiKey,
} from '@ferry/persistence';

import type { Principal } from '../auth/principal';
import type {
  CreateApiKeyDto,
  CreateApiKeyResponse,
  EnvironmentDto,
  EnvironmentResponse,
  ListApiKeysQuery,
  SecretResponse,
} from './api-key.dto';

/**
 * API keys and environments as `@flexprice/sdk` manages them (docs/API.md §2): a key is shown once
 * and stored as its hash, made in the caller's tenant and environment, revoked at once on every
 * gateway (the guard reads the key on each request). Environments belong to the caller's tenant.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly ds: DataSource,
  ) {}

  async create(p: Principal, dto: CreateApiKeyDto): Promise<CreateApiKeyResponse> {
    const allowed = dto.type === 'publishable_key' ? [Permission.TASK_READ] : [...TASK_PERMISSIONS];
    const permissions = dto.permissions ?? allowed;
    const beyond = permissions.filter((x) => !allowed.includes(x) && x !== Permission.KEY_MANAGE);
    if (beyond.length > 0) {
      const message = `a ${dto.type} may not have ${beyond.join(', ')}`;
      throw FerryError.validation(message, { fields: { permissions: [message] } });
    }
    const expiresAt = dto.expires_at === undefined ? null : parseExpiry(dto.expires_at);
    const key = generateApiKey();
    const row = await this.keys.insert({
      tenant_id: p.tenantId,
      environment_id: p.environmentId,
      user_id: p.userId,
      name: dto.name,
      permissions: [...new Set(permissions)],
      key,
      expires_at: expiresAt,
      key_type: dto.type,
    });
    return { api_key: key, secret: toSecret(row) };
  }

  async list(p: Principal, q: ListApiKeysQuery) {
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const { items, total } = await this.keys.listScoped(p.tenantId, p.environmentId, {
      revoked: q.status === 'archived',
      limit,
      offset,
    });
    return { items: items.map(toSecret), pagination: { total, limit, offset } };
  }

  async revoke(p: Principal, id: string): Promise<void> {
    const row = await this.keys.revokeScoped(id, p.tenantId, p.environmentId);
    if (!row) throw FerryError.notFound('API key', id);
  }

  async createEnvironment(p: Principal, dto: EnvironmentDto): Promise<EnvironmentResponse> {
    if (!dto.name) {
      throw FerryError.validation('name is required', { fields: { name: ['name is required'] } });
    }
    const repo = this.ds.getRepository(EnvironmentEntity);
    const id = newId('env');
    await repo.insert({
      id,
      tenant_id: p.tenantId,
      name: dto.name,
      type: dto.type ?? 'development',
    });
    return toEnvironment(await repo.findOneByOrFail({ id }));
  }

  async listEnvironments(p: Principal, q: { limit?: number; offset?: number }) {
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const [items, total] = await this.ds.getRepository(EnvironmentEntity).findAndCount({
      where: { tenant_id: p.tenantId },
      order: { created_at: 'ASC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
    return { items: items.map(toEnvironment), pagination: { total, limit, offset } };
  }

  async getEnvironment(p: Principal, id: string): Promise<EnvironmentResponse> {
    const env = await this.ds
      .getRepository(EnvironmentEntity)
      .findOneBy({ id, tenant_id: p.tenantId });
    if (!env) throw FerryError.notFound('Environment', id);
    return toEnvironment(env);
  }

  async updateEnvironment(
    p: Principal,
    id: string,
    dto: EnvironmentDto,
  ): Promise<EnvironmentResponse> {
    const repo = this.ds.getRepository(EnvironmentEntity);
    const res = await repo.update(
      { id, tenant_id: p.tenantId },
      {
        ...(dto.name !== undefined && { name: dto.name }),
        ...(dto.type !== undefined && { type: dto.type }),
        updated_at: () => 'now()',
      },
    );
    if ((res.affected ?? 0) === 0) throw FerryError.notFound('Environment', id);
    return toEnvironment(await repo.findOneByOrFail({ id }));
  }
}

function parseExpiry(value: string): Date {
  const problem = checkRfc3339(value);
  if (problem !== TimestampProblem.None) {
    const message = describeTimestampProblem('expires_at', value, problem);
    throw FerryError.validation(message, { fields: { expires_at: [message] } });
  }
  const at = new Date(value);
  if (at.getTime() <= Date.now()) {
    const message = `expires_at ${value} is in the past`;
    throw FerryError.validation(message, { fields: { expires_at: [message] } });
  }
  return at;
}

export function toSecret(k: ApiKeyEntity): SecretResponse {
  return {
    id: k.id,
    name: k.name,
    type: k.key_type,
    provider: 'flexprice',
    display_id: k.key_prefix,
    status: k.revoked_at ? 'archived' : 'published',
    roles: k.permissions,
    user_type: 'user',
    expires_at: k.expires_at?.toISOString() ?? null,
    last_used_at: k.last_used_at?.toISOString() ?? null,
    created_at: k.created_at.toISOString(),
    updated_at: (k.revoked_at ?? k.created_at).toISOString(),
  };
}

function toEnvironment(e: EnvironmentEntity): EnvironmentResponse {
  return {
    id: e.id,
    name: e.name,
    type: e.type,
    created_at: e.created_at.toISOString(),
    updated_at: e.updated_at.toISOString(),
  };
}
