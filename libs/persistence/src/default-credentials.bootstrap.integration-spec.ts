import { type DataSource } from 'typeorm';

import { ALL_PERMISSIONS, Permission } from '@ferry/contracts';

import { hashApiKey } from './api-key.hash';
import { provisionCredentials } from './credentials.provisioner';
import { initDataSource } from './data-source.factory';
import { ensureDefaultCredentials } from './default-credentials.bootstrap';
import { ApiKeyEntity } from './entities/api-key.entity';
import { EnvironmentEntity } from './entities/environment.entity';
import { TenantEntity } from './entities/tenant.entity';
import { ApiKeyRepository } from './repositories/api-key.repository';
import { createTestDatabase, type TestDatabase } from './testing/test-database';

describe('ensureDefaultCredentials', () => {
  let db: TestDatabase;
  const others: DataSource[] = [];

  const reset = () =>
    db.ds.query('TRUNCATE api_keys, environments, tenants RESTART IDENTITY CASCADE');
  const count = (entity: typeof ApiKeyEntity | typeof TenantEntity | typeof EnvironmentEntity) =>
    db.ds.getRepository(entity).count();

  beforeAll(async () => {
    db = await createTestDatabase();
    // Four "services", each with its own pool, as at a real boot.
    for (let i = 0; i < 3; i++) others.push(await initDataSource({ url: db.url, poolSize: 2 }));
  });
  afterAll(async () => {
    await db.drop(...others);
  });
  beforeEach(reset);

  it('creates one default tenant, environment and generated key, once', async () => {
    const first = await ensureDefaultCredentials(db.ds);
    expect(first.created).toBe(true);
    expect(first.apiKey).toMatch(/^fry_/);
    expect(first.tenantId).toMatch(/^tenant_/);
    expect(first.environmentId).toMatch(/^env_/);

    const key = await new ApiKeyRepository(db.ds).findActiveByHash(hashApiKey(first.apiKey ?? ''));
    expect(key).toMatchObject({
      tenant_id: first.tenantId,
      environment_id: first.environmentId,
      user_id: 'user_default',
      key_prefix: first.apiKey?.slice(0, 8),
    });
    expect([...(key?.permissions ?? [])].sort()).toEqual([...ALL_PERMISSIONS].sort());

    const second = await ensureDefaultCredentials(db.ds);
    expect(second).toEqual({
      created: false,
      tenantId: first.tenantId,
      environmentId: first.environmentId,
    });
    expect(await count(ApiKeyEntity)).toBe(1);
  });

  it('creates one key when four services call it at once', async () => {
    const results = await Promise.all([db.ds, ...others].map((ds) => ensureDefaultCredentials(ds)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results.filter((r) => r.apiKey)).toHaveLength(1);
    expect(new Set(results.map((r) => r.tenantId)).size).toBe(1);
    expect(await count(ApiKeyEntity)).toBe(1);
    expect(await count(TenantEntity)).toBe(1);
    expect(await count(EnvironmentEntity)).toBe(1);
  });

  it('uses a given key on an empty database and does not echo it', async () => {
    const res = await ensureDefaultCredentials(db.ds, { apiKey: 'fry_fixed_key_from_env' });
    expect(res.created).toBe(true);
    expect(res.apiKey).toBeUndefined();
    const key = await new ApiKeyRepository(db.ds).findActiveByHash(
      hashApiKey('fry_fixed_key_from_env'),
    );
    expect(key?.environment_id).toBe(res.environmentId);
    expect(await count(ApiKeyEntity)).toBe(1);
  });

  it('adds a given key to the existing default tenant when other keys exist', async () => {
    const generated = await ensureDefaultCredentials(db.ds);
    const res = await ensureDefaultCredentials(db.ds, { apiKey: 'fry_added_later' });
    expect(res).toEqual({
      created: true,
      tenantId: generated.tenantId,
      environmentId: generated.environmentId,
    });
    expect(await count(ApiKeyEntity)).toBe(2);
    expect(await count(TenantEntity)).toBe(1);
    const again = await ensureDefaultCredentials(db.ds, { apiKey: 'fry_added_later' });
    expect(again.created).toBe(false);
    expect(await count(ApiKeyEntity)).toBe(2);
  });

  it('inserts a given key once when four services call it at once', async () => {
    const results = await Promise.all(
      [db.ds, ...others].map((ds) => ensureDefaultCredentials(ds, { apiKey: 'fry_concurrent' })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await count(ApiKeyEntity)).toBe(1);
    expect(await count(TenantEntity)).toBe(1);
  });

  it('leaves installations whose keys were provisioned otherwise alone', async () => {
    const other = await provisionCredentials(db.ds, { tenantName: 'acme' });
    const res = await ensureDefaultCredentials(db.ds);
    expect(res).toEqual({
      created: false,
      tenantId: other.tenantId,
      environmentId: other.environmentId,
    });
    expect(await count(TenantEntity)).toBe(1);
  });
});

describe('ApiKeyRepository and provisionCredentials', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('provisions separate tenants with chosen permissions, found by hash until revoked', async () => {
    const keys = new ApiKeyRepository(db.ds);
    const a = await provisionCredentials(db.ds, { tenantName: 'a' });
    const b = await provisionCredentials(db.ds, {
      tenantName: 'b',
      userId: 'user_reader',
      permissions: [Permission.TASK_READ],
    });
    expect(a.tenantId).not.toBe(b.tenantId);
    const found = await keys.findActiveByHash(hashApiKey(b.apiKey));
    expect(found).toMatchObject({
      id: b.keyId,
      tenant_id: b.tenantId,
      user_id: 'user_reader',
      permissions: ['task:read'],
    });
    expect(await keys.findActiveByHash(hashApiKey('fry_unknown'))).toBeNull();

    expect(await keys.revoke(b.keyId)).toBe(true);
    expect(await keys.revoke(b.keyId)).toBe(false);
    expect(await keys.findActiveByHash(hashApiKey(b.apiKey))).toBeNull();
    expect(await keys.findActiveByHash(hashApiKey(a.apiKey))).not.toBeNull();
  });

  it('stores only the hash and the display prefix', async () => {
    const c = await provisionCredentials(db.ds, { apiKey: 'fry_plaintext_secret_value' });
    const rows: Record<string, unknown>[] = await db.ds.query(
      'SELECT * FROM api_keys WHERE id = $1',
      [c.keyId],
    );
    expect(JSON.stringify(rows)).not.toContain('fry_plaintext_secret_value');
    expect(rows[0]).toMatchObject({
      key_prefix: 'fry_plai',
      key_hash: hashApiKey('fry_plaintext_secret_value'),
    });
  });
});
