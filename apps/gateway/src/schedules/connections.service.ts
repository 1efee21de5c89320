import { Injectable } from '@nestjs/common';

import { FerryError, newId } from '@ferry/contracts';
import { ConnectionRepository, type ConnectionRow } from '@ferry/persistence';

import type { Principal } from '../auth/principal';
import type {
  ConnectionResponse,
  CreateConnectionDto,
  ListConnectionsQuery,
} from './connection.dto';

/**
 * Destinations of scheduled exports (docs/API.md §4), registered as Flexprice registers them
 * (`POST /v1/connections`, provider `s3`). The secrets are sealed before they are stored and no
 * answer carries them; deleting a connection wipes them.
 */
@Injectable()
export class ConnectionsService {
  constructor(private readonly connections: ConnectionRepository) {}

  async create(p: Principal, dto: CreateConnectionDto): Promise<ConnectionResponse> {
    const row = await this.connections.create(
      {
        id: newId('conn'),
        tenant_id: p.tenantId,
        environment_id: p.environmentId,
        name: dto.name,
        provider_type: dto.provider_type,
        metadata: dto.metadata ?? {},
        created_by: p.userId,
      },
      {
        aws_access_key_id: dto.encrypted_secret_data.aws_access_key_id,
        aws_secret_access_key: dto.encrypted_secret_data.aws_secret_access_key,
        ...(dto.encrypted_secret_data.aws_session_token
          ? { aws_session_token: dto.encrypted_secret_data.aws_session_token }
          : {}),
      },
    );
    return toConnectionResponse(row);
  }

  async get(p: Principal, id: string): Promise<ConnectionResponse> {
    const row = await this.connections.find(id, scopeOf(p));
    if (!row) throw FerryError.notFound('Connection', id);
    return toConnectionResponse(row);
  }

  async list(p: Principal, q: ListConnectionsQuery) {
    const { items, total } = await this.connections.list(scopeOf(p), q);
    return {
      connections: items.map(toConnectionResponse),
      total,
      limit: q.limit,
      offset: q.offset,
    };
  }

  async remove(p: Principal, id: string): Promise<void> {
    if (!(await this.connections.archive(id, scopeOf(p), p.userId))) {
      throw FerryError.notFound('Connection', id);
    }
  }
}

function scopeOf(p: Principal) {
  return { tenantId: p.tenantId, environmentId: p.environmentId };
}

function toConnectionResponse(c: ConnectionRow): ConnectionResponse {
  return {
    id: c.id,
    name: c.name,
    provider_type: c.provider_type,
    environment_id: c.environment_id,
    tenant_id: c.tenant_id,
    status: c.status,
    metadata: c.metadata,
    created_at: new Date(c.created_at).toISOString(),
    updated_at: new Date(c.updated_at).toISOString(),
    created_by: c.created_by,
    updated_by: c.updated_by,
  };
}
