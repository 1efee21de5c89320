import { randomBytes } from 'crypto';

import { hashApiKey } from '@ferry/persistence';

import type { FerrySystem } from './ferry-system';

export interface KeyScope {
  tenantId: string;
  environmentId: string;
}

/** The tenant and environment a key belongs to (e.g. the system's own `ferry.apiKey`). */
export async function scopeOfKey(ferry: FerrySystem, key: string): Promise<KeyScope> {
  const { rows } = await ferry.db.query(
    'SELECT tenant_id, environment_id FROM api_keys WHERE key_hash = $1',
    [hashApiKey(key)],
  );
  if (rows.length !== 1) throw new Error(`no API key with the hash of ${key.slice(0, 8)}…`);
  return { tenantId: rows[0].tenant_id, environmentId: rows[0].environment_id };
}

/**
 * A key with these permissions, written as an operator would (SQL): by default in a new tenant
 * with its own environment; with `where.tenantId`, in a new environment of that tenant; with both,
 * in that very environment (another key of the same scope).
 */
export async function addTenantKey(
  ferry: FerrySystem,
  permissions: string[],
  where: Partial<KeyScope> = {},
): Promise<string> {
  const n = randomBytes(4).toString('hex');
  const key = `fry_other_${randomBytes(16).toString('hex')}`;
  const tenantId = where.tenantId ?? `tenant_${n}`;
  const environmentId = where.environmentId ?? `env_${n}`;
  if (!where.tenantId) {
    await ferry.db.query(`INSERT INTO tenants (id, name) VALUES ($1, 'other')`, [tenantId]);
  }
  if (!where.environmentId) {
    await ferry.db.query(`INSERT INTO environments (id, tenant_id, name) VALUES ($1, $2, $3)`, [
      environmentId,
      tenantId,
      `env ${n}`,
    ]);
  }
  await ferry.db.query(
    `INSERT INTO api_keys (id, tenant_id, environment_id, user_id, name, key_hash, key_prefix, permissions)
     VALUES ($1, $2, $3, 'user_other', 'other', $4, $5, $6)`,
    [`key_${n}`, tenantId, environmentId, hashApiKey(key), key.slice(0, 8), permissions],
  );
  return key;
}
