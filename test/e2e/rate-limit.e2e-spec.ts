import { FerryApi } from '../support/api';
import { type FerrySystem, startFerry } from '../support/ferry-system';
import { addTenantKey, scopeOfKey } from '../support/tenant-key';

const BURST = 4;
const PER_MINUTE = 6; // one token every 10 s: no refill can hide the limit on a slow machine

/** The per-key token bucket through the built gateway: one runaway key does not starve others. */
describe('per-key rate limit (429 with Retry-After)', () => {
  let ferry: FerrySystem;

  beforeAll(async () => {
    ferry = await startFerry({
      services: ['gateway'],
      env: {
        FERRY_RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
        FERRY_RATE_LIMIT_BURST: String(BURST),
      },
    });
  });

  afterAll(() => ferry?.stop());

  it('limits the key over its burst on every endpoint, and spares every other key', async () => {
    const scope = await scopeOfKey(ferry, ferry.apiKey);
    const busy = new FerryApi(
      ferry.baseUrl,
      await addTenantKey(ferry, ['task:read', 'task:write'], scope),
    );
    const sameScope = new FerryApi(ferry.baseUrl, await addTenantKey(ferry, ['task:read'], scope));
    const otherTenant = new FerryApi(ferry.baseUrl, await addTenantKey(ferry, ['task:read']));

    const first: number[] = [];
    for (let i = 0; i < BURST; i++) first.push((await busy.request('GET', '/v1/tasks')).status);
    expect(first).toEqual(Array(BURST).fill(200));

    const limited = await busy.request('GET', '/v1/tasks');
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60 / PER_MINUTE);
    expect(limited.body).toMatchObject({
      code: 'too_many_requests',
      http_status_code: 429,
      details: { retry_after_seconds: retryAfter },
    });
    expect(limited.body.message).toMatch(/too many requests; retry in \d+ s/);

    // A write is refused too, before it does anything.
    const tasks = async () =>
      (await ferry.db.query('SELECT count(*)::int AS n FROM tasks')).rows[0].n;
    const before = await tasks();
    const create = await busy.createTask({
      task_type: 'EXPORT',
      entity_type: 'EVENTS',
      file_type: 'CSV',
      file_url: 'store://exports/',
    });
    expect(create.status).toBe(429);
    expect(await tasks()).toBe(before);

    // Other keys, of the same environment or another tenant, and anonymous calls are unaffected.
    expect((await sameScope.request('GET', '/v1/tasks')).status).toBe(200);
    expect((await otherTenant.request('GET', '/v1/tasks')).status).toBe(200);
    expect((await new FerryApi(ferry.baseUrl, '').request('GET', '/v1/tasks')).status).toBe(401);
    expect((await fetch(`${ferry.baseUrl}/health/live`)).status).toBe(200);

    // After Retry-After the key has a token again.
    await new Promise((r) => setTimeout(r, (retryAfter + 0.5) * 1000));
    expect((await busy.request('GET', '/v1/tasks')).status).toBe(200);
  });
});
