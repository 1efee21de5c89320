import { adminCommand } from './admin.command';
import { hashApiKey } from './api-key.hash';
import { createTestDatabase, type TestDatabase } from './testing/test-database';

describe('ferry admin create-tenant (PostgreSQL)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('makes a tenant, its environment and a key that may manage keys, shown once', async () => {
    const lines: string[] = [];
    const code = await adminCommand(
      { DATABASE_URL: db.url },
      ['create-tenant', '--name', 'Acme', '--environment', 'production'],
      (l) => lines.push(l),
    );
    expect(code).toBe(0);
    const made = JSON.parse(lines[0]) as Record<string, string>;
    expect(made.api_key).toMatch(/^fry_/);
    const [key] = await db.ds.query('SELECT * FROM api_keys WHERE id = $1', [made.key_id]);
    expect(key).toMatchObject({
      tenant_id: made.tenant_id,
      environment_id: made.environment_id,
      key_hash: hashApiKey(made.api_key),
    });
    expect(key.permissions).toContain('key:manage');
    const [envRow] = await db.ds.query('SELECT name FROM environments WHERE id = $1', [
      made.environment_id,
    ]);
    expect(envRow.name).toBe('production');
  });

  it('says how to call it when the arguments are wrong', async () => {
    const lines: string[] = [];
    expect(
      await adminCommand({ DATABASE_URL: db.url }, ['create-tenant'], (l) => lines.push(l)),
    ).toBe(2);
    expect(lines.join('\n')).toMatch(/--name is required/);
    expect(await adminCommand({}, ['drop-all'], (l) => lines.push(l))).toBe(2);
  });
});
