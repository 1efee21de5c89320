import { PassThrough } from 'stream';

import { ErrorCode, FerryError, newId, Permission } from '@ferry/contracts';
import {
  TaskRepository,
  TaskRowErrorRepository,
  TaskRowWarningRepository,
} from '@ferry/persistence';
import { createTestDatabase, type TestDatabase } from '@ferry/persistence/testing';

import type { Principal } from '../auth/principal';
import { ERRORS_PAGE_SIZE, TaskErrorsService } from './task-errors.service';

function principal(): Principal {
  return {
    keyId: newId('key'),
    tenantId: newId('tenant'),
    environmentId: newId('env'),
    userId: newId('user'),
    permissions: [Permission.TASK_READ],
  };
}

async function collect(write: (out: PassThrough) => Promise<void>): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await write(out);
  out.end();
  return Buffer.concat(chunks).toString();
}

describe('TaskErrorsService (PostgreSQL)', () => {
  let db: TestDatabase;
  let service: TaskErrorsService;
  const me = principal();
  const taskId = newId('task');

  beforeAll(async () => {
    db = await createTestDatabase('ferry_ut_errors');
    service = new TaskErrorsService(
      new TaskRepository(db.ds),
      new TaskRowErrorRepository(db.ds),
      new TaskRowWarningRepository(db.ds),
    );
    await db.ds.query(
      `INSERT INTO tasks (id, tenant_id, environment_id, task_type, entity_type, file_type, file_url)
       VALUES ($1, $2, $3, 'IMPORT', 'CUSTOMERS', 'CSV', 'https://x/y.csv')`,
      [taskId, me.tenantId, me.environmentId],
    );
    await db.ds.query(
      `INSERT INTO task_checkpoints (task_id, part, columns) VALUES ($1, 0, '["name","external_id","email"]')`,
      [taskId],
    );
    // More rows than one page, numbered out of insertion order, one with a key the header lacks.
    const total = ERRORS_PAGE_SIZE * 2 + 5;
    await db.ds.query(
      `INSERT INTO task_row_errors (task_id, part, row_number, error_code, error_message, raw)
       SELECT $1, 0, n + 1, 'invalid_value', 'email "x,y" is not valid',
              jsonb_build_object('external_id', 'c' || n, 'name', '=cmd', 'email', 'x,y')
       FROM generate_series($2::int, 1, -1) AS n`,
      [taskId, total],
    );
    await db.ds.query(
      `UPDATE task_row_errors SET raw = raw || '{"column_4": "extra\\nline"}' WHERE task_id = $1 AND row_number = 2`,
      [taskId],
    );
  });

  afterAll(async () => {
    await db.drop();
  });

  it('streams every error in row order, page by page, columns in the file order, cells escaped', async () => {
    const download = await service.open(me, taskId);
    expect(download.fileName).toBe(`${taskId}-errors.csv`);
    const text = await collect((out) => download.write(out));
    // Records end in LF; the one line break inside a quoted cell here ("extra\nline") is followed
    // by the cell's text, never by a row number.
    const lines = text.split(/\n(?=\d+,|$)/);
    expect(lines[0]).toBe('row_number,error_code,error_message,name,external_id,email,column_4');
    expect(lines[1]).toBe(
      `2,invalid_value,"email ""x,y"" is not valid",'=cmd,c1,"x,y","extra\nline"`,
    );
    expect(lines[2]).toBe(`3,invalid_value,"email ""x,y"" is not valid",'=cmd,c2,"x,y",`);
    const rows = lines.slice(1).filter(Boolean);
    expect(rows).toHaveLength(ERRORS_PAGE_SIZE * 2 + 5);
    expect(rows.map((l) => Number(l.split(',')[0]))).toEqual(
      Array.from({ length: rows.length }, (_, i) => i + 2),
    );
  });

  it("is a 404 for another tenant's task and for an unknown one", async () => {
    for (const [who, id] of [
      [principal(), taskId],
      [me, newId('task')],
    ] as const) {
      const err = await service.open(who, id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FerryError);
      expect((err as FerryError).code).toBe(ErrorCode.NOT_FOUND);
    }
  });

  it('stops writing when the client goes away', async () => {
    const download = await service.open(me, taskId);
    const out = new PassThrough({ highWaterMark: 16 });
    out.destroy();
    await expect(download.write(out)).resolves.toBeUndefined();
  });
});
