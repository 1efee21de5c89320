import { timingSafeEqual } from 'crypto';

import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import type { Response } from 'express';

import { ErrorCode, FerryError, Permission } from '@ferry/contracts';
import { ApiKeyRepository, hashApiKey } from '@ferry/persistence';

import { GatewayConfig } from '../gateway.config';
import { AuthedRequest, PERMISSION_KEY, Principal, PUBLIC_KEY } from './principal';
import { RateLimiter } from './rate-limiter';

/**
 * `x-api-key` → tenant, environment, user and permissions. Keys are stored only as SHA-256
 * hashes; the lookup is by hash and the stored hash is compared again in constant time.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyRepository,
    config: GatewayConfig,
  ) {
    this.limiter = new RateLimiter(
      config.FERRY_RATE_LIMIT_PER_MINUTE,
      config.FERRY_RATE_LIMIT_BURST,
    );
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const header = req.headers['x-api-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (!key) throw FerryError.unauthenticated('The x-api-key header is missing');

    const hash = hashApiKey(key);
    const row = await this.keys.findActiveByHash(hash);
    if (!row || !timingSafeEqual(Buffer.from(row.key_hash), Buffer.from(hash))) {
      throw FerryError.unauthenticated('The API key is not valid');
    }
    const principal: Principal = {
      keyId: row.id,
      tenantId: row.tenant_id,
      environmentId: row.environment_id,
      userId: row.user_id,
      permissions: row.permissions,
    };
    req.principal = principal;
    // last_used_at (docs/API.md §2), off the request's path: a failed note never fails a call.
    this.keys.touch(row.id).catch(() => undefined);

    const wait = this.limiter.take(row.id);
    if (wait > 0) {
      context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(wait));
      throw new FerryError(
        ErrorCode.TOO_MANY_REQUESTS,
        `This API key made too many requests; retry in ${wait} s`,
        { retry_after_seconds: wait },
      );
    }

    const needed = this.reflector.getAllAndOverride<Permission | undefined>(
      PERMISSION_KEY,
      targets,
    );
    if (!needed) {
      // A route someone forgot to annotate: refused (500, logged), never open to every key.
      throw new Error(
        `${context.getClass().name}.${context.getHandler().name} declares neither @Public() nor @RequirePermission()`,
      );
    }
    if (!principal.permissions.includes(needed)) {
      throw FerryError.forbidden(`This API key lacks the ${needed} permission`, {
        permission: needed,
      });
    }
    return true;
  }
}
