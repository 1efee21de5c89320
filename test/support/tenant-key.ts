import { createHash, randomBytes } from 'crypto';
import type { FerrySystem } from './ferry-system';

/** A second tenant with its own environment and key, written as an operator would (SQL). */
export async function addTenantKey(ferry: FerrySystem, permissions: string[]): Promise<string> {
  const n = randomBytes(4).toString('hex');
  const key = `fry_other_${randomBytes(16).toString('hex')}`;
  await ferry.db.query(`INSERT INTO tenants (id, name) VALUES ($1, 'other')`, [`tenant_${n}`]);
  await ferry.db.query(`INSERT INTO environments (id, tenant_id, name) VALUES ($1, $2, 'prod')`, [
    `env_${n}`,
    `tenant_${n}`,
  ]);
  await ferry.db.query(
    `INSERT INTO api_keys (id, tenant_id, environment_id, user_id, name, key_hash, key_prefix, permissions)
     VALUES ($1, $2, $3, 'user_other', 'other', $4, $5, $6)`,
    [
      `key_${n}`,
      `tenant_${n}`,
      `env_${n}`,
      createHash('sha256').update(key).digest('hex'),
      key.slice(0, 8),
      permissions,
    ],
  );
  return key;
}
