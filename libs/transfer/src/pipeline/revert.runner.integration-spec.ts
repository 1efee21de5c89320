import { EntityType, type TaskCreatedEvent } from '@ferry/contracts';

import { importRunnerHarness } from '../testing/import-runner.harness';

jest.setTimeout(30_000);

/**
 * A revert task (RevertRunner behind ImportRunner, docs/API.md §5): the rows an import created go,
 * the rows it changed get their before-image back, rows a later task changed since are kept and
 * listed; once, however often it is delivered.
 */
describe('RevertRunner (PostgreSQL, NATS, loopback HTTP)', () => {
  const h = importRunnerHarness('ferry_ut_revert');
  const { runner, newTask, statusEvents } = h;
  const run = (task: TaskCreatedEvent) =>
    runner().run(task, { signal: new AbortController().signal });
  const last = async (taskId: string) => (await statusEvents(taskId)).at(-1);
  const q = <T>(sql: string, p: unknown[]) => h.db.ds.query(sql, p) as Promise<T[]>;
  const revertOf = (t: TaskCreatedEvent) =>
    newTask('', {
      entity: t.entity_type,
      environmentId: t.environment_id,
      metadata: { revert_of: t.task_id },
    });

  it('customers: created ones removed, changed ones restored, one changed since kept and listed', async () => {
    const first = await newTask('external_id,name,email\nc-1,Before,b@x.io\n', {
      entity: EntityType.CUSTOMERS,
    });
    await run(first);
    const env = first.environment_id;
    const opts = { entity: EntityType.CUSTOMERS, environmentId: env };
    const t1 = await newTask('external_id,name\nc-1,Changed\nc-2,New\nc-3,New too\n', opts);
    await run(t1);
    expect((await last(t1.task_id))?.metadata?.['changed']).toBe(1);
    const t2 = await newTask('external_id,name\nc-3,Later\n', opts);
    await run(t2);

    const revert = await revertOf(t1);
    await run(revert);
    await run(revert); // a second delivery changes nothing
    const rows = await q<{
      external_id: string;
      name: string;
      email: string | null;
      task_id: string;
    }>(
      'SELECT external_id, name, email, task_id FROM customers WHERE environment_id = $1 ORDER BY external_id',
      [env],
    );
    expect(rows).toEqual([
      { external_id: 'c-1', name: 'Before', email: 'b@x.io', task_id: first.task_id },
      { external_id: 'c-3', name: 'Later', email: null, task_id: t2.task_id },
    ]);
    const events = await statusEvents(revert.task_id);
    expect(events.filter((e) => e.kind === 'completed')).toHaveLength(2);
    const done = events.find((e) => e.kind === 'completed');
    expect(done?.counters).toEqual({
      processed_records: 3,
      successful_records: 2,
      failed_records: 1,
      total_records: 3,
    });
    expect(done?.metadata).toEqual(
      expect.objectContaining({ revert_of: t1.task_id, reverted: 2, kept: 1, errored: 0 }),
    );
    const kept = await q<{ error_message: string }>(
      'SELECT error_message FROM task_row_errors WHERE task_id = $1',
      [revert.task_id],
    );
    expect(kept).toHaveLength(1);
    expect(kept[0].error_message).toMatch(/external_id c-3\) was changed since by task task_/);
  });

  it('events: the ones it inserted go, another task’s stay', async () => {
    const t1 = await newTask(
      'event_id,event_name,external_customer_id,timestamp\ne-1,a,c,2024-01-31T12:00:00Z\ne-2,a,c,2024-01-31T12:00:00Z\n',
    );
    await run(t1);
    const t2 = await newTask(
      'event_id,event_name,external_customer_id,timestamp\ne-2,a,c,2024-01-31T12:00:00Z\ne-3,a,c,2024-01-31T12:00:00Z\n',
      { environmentId: t1.environment_id },
    );
    await run(t2);
    const revert = await revertOf(t1);
    await run(revert);
    const ids = await q<{ id: string }>(
      'SELECT id FROM events WHERE environment_id = $1 ORDER BY id',
      [t1.environment_id],
    );
    expect(ids.map((r) => r.id)).toEqual(['e-3']);
    expect((await last(revert.task_id))?.counters.successful_records).toBe(2);
  });

  it('features: a created metered one goes with its meter, a changed one gets its values back', async () => {
    const header = 'name,type,lookup_key,meter_name,event_name,aggregation_type\n';
    const first = await newTask(`${header}Seats,metered,seats,Seats,seat,COUNT\n`, {
      entity: EntityType.FEATURES,
    });
    await run(first);
    const env = first.environment_id;
    const t1 = await newTask(
      `${header}Seats v2,metered,seats,Seats2,seat2,SUM\nCalls,metered,calls,Calls,call,COUNT\n`,
      { entity: EntityType.FEATURES, environmentId: env },
    );
    await run(t1);
    const revert = await revertOf(t1);
    await run(revert);
    const rows = await q<{
      lookup_key: string;
      name: string;
      meter_name: string;
      event_name: string;
    }>(
      `SELECT f.lookup_key, f.name, m.name AS meter_name, m.event_name FROM features f
       JOIN meters m ON m.id = f.meter_id WHERE f.environment_id = $1`,
      [env],
    );
    expect(rows).toEqual([
      { lookup_key: 'seats', name: 'Seats', meter_name: 'Seats', event_name: 'seat' },
    ]);
    const [{ n }] = await q<{ n: string }>(
      'SELECT count(*) AS n FROM meters WHERE environment_id = $1',
      [env],
    );
    expect(n).toBe('1');
  });

  it('prices: the ones it inserted go', async () => {
    const t1 = await newTask(
      'currency,entity_type,entity_id,type,billing_period,billing_model,invoice_cadence,amount,lookup_key\n' +
        'USD,PLAN,plan_1,FIXED,MONTHLY,FLAT_FEE,ADVANCE,49.00,pro\n',
      { entity: EntityType.PRICES },
    );
    await run(t1);
    const revert = await revertOf(t1);
    await run(revert);
    const [{ n }] = await q<{ n: string }>(
      'SELECT count(*) AS n FROM prices WHERE environment_id = $1',
      [t1.environment_id],
    );
    expect(n).toBe('0');
    expect((await last(revert.task_id))?.counters.successful_records).toBe(1);
  });
});
