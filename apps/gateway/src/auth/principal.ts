import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
} from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

import type { Request } from 'express';

import { type Permission } from '@ferry/contracts';
import { PUBLIC_ROUTE } from '@ferry/telemetry';

/** Who is calling: resolved from the API key by the guard, the scope of every query. */
export interface Principal {
  keyId: string;
  tenantId: string;
  environmentId: string;
  userId: string;
  permissions: readonly string[];
}

export type AuthedRequest = Request & { principal?: Principal };

export const PERMISSION_KEY = 'ferry:permission';
/** The OpenAPI extension naming an operation's permission (so clients and tests can read it). */
export const PERMISSION_EXTENSION = 'x-ferry-permission';
export const PUBLIC_KEY = PUBLIC_ROUTE;

/**
 * The permission a route needs, also written into the OpenAPI document. Every route declares
 * either this or `@Public()`: the guard refuses a route that declares neither (fail closed).
 */
export const RequirePermission = (permission: Permission) =>
  applyDecorators(
    SetMetadata(PERMISSION_KEY, permission),
    ApiExtension(PERMISSION_EXTENSION, permission),
  );

/** Routes that need no key (health, docs). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const principal = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without the API key guard');
  return principal;
});
