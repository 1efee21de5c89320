import { FerryError } from '@ferry/contracts';

import { ERRORS_JSON_MAX_LIMIT, pageQuery, warningsPage } from './task-errors.service';

describe('pageQuery (GET /v1/tasks/{id}/errors as JSON pages)', () => {
  it('defaults to 50 rows from the start', () => {
    expect(pageQuery(undefined, undefined)).toEqual({ limit: 50, afterRow: 0 });
    expect(pageQuery('', '')).toEqual({ limit: 50, afterRow: 0 });
  });

  it('takes whole numbers in range', () => {
    expect(pageQuery('1', '0')).toEqual({ limit: 1, afterRow: 0 });
    expect(pageQuery(String(ERRORS_JSON_MAX_LIMIT), '123456')).toEqual({
      limit: ERRORS_JSON_MAX_LIMIT,
      afterRow: 123456,
    });
  });

  it.each([
    ['limit', '0', '0'],
    ['limit', '1001', '0'],
    ['limit', '2.5', '0'],
    ['limit', '-1', '0'],
    ['limit', ['1', '2'], '0'],
    ['after_row', '10', 'x'],
    ['after_row', '10', '-5'],
    ['after_row', '10', '99999999999999999'],
  ])('refuses %s in (limit %j, after_row %j) with a 400 naming it', (name, limit, after) => {
    let error: unknown;
    try {
      pageQuery(limit, after);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FerryError);
    expect((error as FerryError).message).toMatch(new RegExp(`^${name} `));
    expect((error as FerryError).details).toEqual({ fields: { [name]: [expect.any(String)] } });
  });
});

describe('warningsPage (GET /v1/tasks/{id}/warnings as JSON pages)', () => {
  const p = { keyId: 'k', tenantId: 't', environmentId: 'e', userId: 'u', permissions: [] };
  const stored = [3, 7, 9].map((n) => ({
    row_number: n,
    warning_message: `line ${n}: a short row, the missing cells read as empty`,
    raw: { event_id: `e${n}`, note: n === 7 ? 'x' : undefined } as Record<string, string>,
  }));
  const warnings = {
    columns: async () => ['event_id', 'note'],
    page: async (_id: string, after: number, limit: number) =>
      stored.filter((w) => w.row_number > after).slice(0, limit),
  };
  const tasks = (metadata: Record<string, unknown> | null) => ({
    findScoped: async (id: string) => (id === 'task_1' ? ({ id, metadata } as never) : null),
  });

  it('pages by line with the task’s count as the total and every column in each row', async () => {
    const first = await warningsPage(tasks({ warnings: 12 }), warnings, p, 'task_1', 2, 0);
    expect(first).toEqual({
      columns: ['event_id', 'note'],
      items: [
        {
          row_number: 3,
          warning_message: stored[0].warning_message,
          cells: { event_id: 'e3', note: '' },
        },
        {
          row_number: 7,
          warning_message: stored[1].warning_message,
          cells: { event_id: 'e7', note: 'x' },
        },
      ],
      total: 12,
      limit: 2,
      after_row: 0,
      next_after_row: 7,
    });
    const last = await warningsPage(tasks({ warnings: 12 }), warnings, p, 'task_1', 2, 7);
    expect(last.items.map((w) => w.row_number)).toEqual([9]);
    expect(last.next_after_row).toBeNull();
  });

  it('counts 0 when the task has no warnings key, and is a 404 for another scope’s task', async () => {
    expect((await warningsPage(tasks({}), warnings, p, 'task_1', 50, 0)).total).toBe(0);
    await expect(warningsPage(tasks({}), warnings, p, 'task_2', 50, 0)).rejects.toThrow(
      'Task task_2 was not found',
    );
  });
});
