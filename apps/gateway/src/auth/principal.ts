import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Permission } from '@ferry/contracts';
import { PUBLIC_ROUTE } from '@ferry/telemetry';
import type { Request } from 'express';

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
export const PUBLIC_KEY = PUBLIC_ROUTE;

/** The permission a route needs; routes without one need only a valid key. */
export const RequirePermission = (permission: Permission) =>
  SetMetadata(PERMISSION_KEY, permission);

/** Routes that need no key (health, docs). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const principal = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without the API key guard');
  return principal;
});
