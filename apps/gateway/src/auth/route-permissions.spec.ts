import { type DynamicModule, RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';

import { Permission } from '@ferry/contracts';

import { AppModule } from '../app.module';
import { GatewayConfig } from '../gateway.config';
import { PERMISSION_KEY, PUBLIC_KEY } from './principal';

interface Route {
  route: string;
  isPublic: boolean;
  permission: Permission | undefined;
}

type ModuleRef = Type | DynamicModule;

/** The controllers of a module and of every module it imports, without instantiating any. */
function controllersOf(mod: ModuleRef, seen = new Set<unknown>()): Type[] {
  if (seen.has(mod)) return [];
  seen.add(mod);
  const dynamic = 'module' in mod ? mod : undefined;
  const cls = dynamic ? dynamic.module : (mod as Type);
  const meta = <T>(key: string): T[] => (Reflect.getMetadata(key, cls) as T[] | undefined) ?? [];
  const imports = [...meta<ModuleRef>('imports'), ...((dynamic?.imports ?? []) as ModuleRef[])];
  return [
    ...meta<Type>('controllers'),
    ...((dynamic?.controllers ?? []) as Type[]),
    ...imports.flatMap((m) => controllersOf(m, seen)),
  ];
}

/** Every route the gateway serves, with what it declares to the guard. */
function routes(): Route[] {
  const controllers = controllersOf(AppModule.forRoot(new GatewayConfig()));
  const out: Route[] = [];
  for (const cls of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, cls) ?? '');
    for (const name of Object.getOwnPropertyNames(cls.prototype)) {
      if (name === 'constructor') continue;
      const handler: unknown = (cls.prototype as Record<string, unknown>)[name];
      if (typeof handler !== 'function' || !Reflect.hasMetadata(PATH_METADATA, handler)) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const path = String(Reflect.getMetadata(PATH_METADATA, handler));
      const own = <T>(key: string): T | undefined =>
        (Reflect.getMetadata(key, handler) as T | undefined) ??
        (Reflect.getMetadata(key, cls) as T | undefined);
      out.push({
        route: `${method} /${[base, path].filter((p) => p && p !== '/').join('/')}`,
        isPublic: own<boolean>(PUBLIC_KEY) === true,
        permission: own<Permission>(PERMISSION_KEY),
      });
    }
  }
  return out;
}

describe('every gateway route declares who may call it', () => {
  const all = routes();

  it('finds the routes of every controller (those hidden from /docs-json too)', () => {
    const names = all.map((r) => r.route);
    expect(names).toEqual(
      expect.arrayContaining([
        'POST /v1/tasks',
        'GET /v1/tasks/:id/events',
        'POST /v1/uploads',
        'GET /ui/*path',
        'GET /health/live',
        'GET /metrics',
      ]),
    );
    expect(all.length).toBeGreaterThanOrEqual(14);
  });

  it.each(all.map((r) => [r.route, r] as const))(
    '%s is either @Public() or needs exactly one permission',
    (_route, r) => {
      expect(r.isPublic || r.permission !== undefined).toBe(true);
      expect(r.isPublic && r.permission !== undefined).toBe(false);
      if (r.permission) expect(Object.values(Permission)).toContain(r.permission);
    },
  );

  it('needs task:write exactly on the routes that change something', () => {
    const writes = all.filter((r) => r.permission === Permission.TASK_WRITE).map((r) => r.route);
    expect(writes.sort()).toEqual([
      'DELETE /v1/connections/:id',
      'DELETE /v1/tasks/scheduled/:id',
      'DELETE /v1/webhooks/:id',
      // Reads a signing secret (and makes it on first use): not for a read-only key.
      'GET /v1/webhooks/secret',
      'POST /v1/connections',
      'POST /v1/tasks',
      'POST /v1/tasks/:id/revert',
      'POST /v1/tasks/scheduled',
      'POST /v1/tasks/scheduled/:id/run',
      'POST /v1/uploads',
      'POST /v1/webhooks',
      'PUT /v1/tasks/:id/status',
      'PUT /v1/tasks/scheduled/:id',
    ]);
    for (const r of all) {
      if (!r.route.startsWith('GET ') && r.permission !== Permission.KEY_MANAGE)
        expect(r.permission).toBe(Permission.TASK_WRITE);
    }
  });

  it('needs key:manage, and only it, for keys and environments (docs/API.md §2)', () => {
    const managing = all.filter((r) => r.permission === Permission.KEY_MANAGE).map((r) => r.route);
    expect(managing.sort()).toEqual([
      'DELETE /v1/secrets/api/keys/:id',
      'GET /v1/environments',
      'GET /v1/environments/:id',
      'GET /v1/secrets/api/keys',
      'POST /v1/environments',
      'POST /v1/secrets/api/keys',
      'PUT /v1/environments/:id',
    ]);
  });

  it('keeps public only what holds no tenant data: health, metrics, the dashboard page, signed links', () => {
    const open = all.filter((r) => r.isPublic).map((r) => r.route.split(' ')[1]);
    for (const path of open) expect(path).toMatch(/^\/(health\/|metrics$|ui(\/|$)|v1\/files\/)/);
  });
});
