import { ErrorCode, FerryError } from '@ferry/contracts';

import { createValidationPipe } from '../errors/validation.pipe';
import { CreateTaskDto } from './create-task.dto';

const pipe = createValidationPipe();
const parse = (body: unknown): Promise<CreateTaskDto> =>
  pipe.transform(body, { type: 'body', metatype: CreateTaskDto, data: '' });

const VALID = {
  task_type: 'IMPORT',
  entity_type: 'EVENTS',
  file_type: 'CSV',
  file_url: 'https://files.example.com/events.csv',
};

async function badFields(body: unknown): Promise<Record<string, string[]>> {
  const err: unknown = await parse(body).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof FerryError)) {
    throw new Error(`expected a FerryError for ${JSON.stringify(body)}, got ${String(err)}`);
  }
  expect(err.code).toBe(ErrorCode.VALIDATION);
  expect(err.httpStatus).toBe(400);
  return err.details['fields'] as Record<string, string[]>;
}

describe('CreateTaskDto through the global validation pipe', () => {
  it('accepts the minimal body of a Flexprice create-task request', async () => {
    const dto = await parse(VALID);
    expect(dto).toBeInstanceOf(CreateTaskDto);
    expect({ ...dto }).toEqual(VALID);
  });

  it('keeps file_name and metadata, nested keys included', async () => {
    const metadata = { source: 'crm', nested: { a: [1, 2], b: null }, start_time: 'x' };
    const dto = await parse({ ...VALID, file_name: 'events.csv', metadata });
    expect(dto.file_name).toBe('events.csv');
    expect(dto.metadata).toEqual(metadata);
  });

  it('drops fields that are not part of the request (a client cannot set server fields)', async () => {
    const dto = await parse({
      ...VALID,
      id: 'task_mine',
      tenant_id: 'tenant_x',
      task_status: 'COMPLETED',
    });
    expect({ ...dto }).toEqual(VALID);
  });

  it.each([
    ['task_type', ['IMPORT', 'EXPORT']],
    ['entity_type', ['EVENTS', 'PRICES', 'CUSTOMERS', 'FEATURES']],
    ['file_type', ['CSV', 'JSON']],
  ])('accepts every %s value', async (field, values) => {
    for (const value of values) {
      const dto = await parse({ ...VALID, [field]: value });
      expect((dto as unknown as Record<string, unknown>)[field]).toBe(value);
    }
  });

  it('reads lower-case enums as Flexprice clients send them (docs/API.md §1)', async () => {
    const dto = await parse({
      ...VALID,
      task_type: 'import',
      entity_type: 'events',
      file_type: 'csv',
    });
    expect(dto).toMatchObject({ task_type: 'IMPORT', entity_type: 'EVENTS', file_type: 'CSV' });
  });

  it("takes upload_id with file_provider in place of file_url (Flexprice's create body)", async () => {
    const body: Record<string, unknown> = { ...VALID, upload_id: 'upload_1', file_provider: 'X' };
    delete body['file_url'];
    expect(await parse(body)).toMatchObject({ upload_id: 'upload_1', file_provider: 'X' });
  });

  it('names all four required fields when the body is empty', async () => {
    const fields = await badFields({});
    expect(Object.keys(fields).sort()).toEqual([
      'entity_type',
      'file_type',
      'file_url',
      'task_type',
    ]);
  });

  it.each(['task_type', 'entity_type', 'file_type', 'file_url'])(
    'refuses a body without %s',
    async (field) => {
      const body: Record<string, unknown> = { ...VALID };
      delete body[field];
      expect(Object.keys(await badFields(body))).toEqual([field]);
    },
  );

  it.each<[string, Record<string, unknown>, string]>([
    ['task_type unknown', { task_type: 'SYNC' }, 'task_type'],
    ['task_type a number', { task_type: 1 }, 'task_type'],
    ['entity_type unknown', { entity_type: 'INVOICES' }, 'entity_type'],
    ['file_type unknown', { file_type: 'XLSX' }, 'file_type'],
    ['file_url empty', { file_url: '' }, 'file_url'],
    ['file_url not a string', { file_url: 42 }, 'file_url'],
    ['file_url without a scheme', { file_url: 'files.example.com/a.csv' }, 'file_url'],
    ['file_url ftp', { file_url: 'ftp://files.example.com/a.csv' }, 'file_url'],
    ['file_url file', { file_url: 'file:///etc/passwd' }, 'file_url'],
    ['file_url javascript', { file_url: 'javascript:alert(1)' }, 'file_url'],
    ['file_url data', { file_url: 'data:text/csv,a,b' }, 'file_url'],
    ['file_url scheme only', { file_url: 'https://' }, 'file_url'],
    ['file_url with a space', { file_url: 'https://a.example.com/my file.csv' }, 'file_url'],
    [
      'file_url longer than 4096',
      { file_url: `https://a.example.com/${'x'.repeat(4096)}` },
      'file_url',
    ],
    ['file_name longer than 255', { file_name: `${'n'.repeat(252)}.csv` }, 'file_name'],
    ['file_name not a string', { file_name: ['a.csv'] }, 'file_name'],
    ['metadata an array', { metadata: ['a', 'b'] }, 'metadata'],
    ['metadata a string', { metadata: '{"a":1}' }, 'metadata'],
    ['metadata a number', { metadata: 7 }, 'metadata'],
    ['metadata true', { metadata: true }, 'metadata'],
  ])('refuses %s as a validation_error naming the field', async (_name, change, field) => {
    const fields = await badFields({ ...VALID, ...change });
    expect(Object.keys(fields)).toEqual([field]);
  });

  it.each([
    'http://files.example.com/a.csv',
    'https://files.example.com/a.csv?X-Amz-Signature=abc&X-Amz-Expires=900',
    'HTTPS://files.example.com/a.csv',
    's3://bucket/imports/a.csv',
    'store://uploads/upload_01J0000000000000000000000/events.csv',
  ])('accepts the file_url %s', async (fileUrl) => {
    const dto = await parse({ ...VALID, file_url: fileUrl });
    expect(dto.file_url).toBe(fileUrl);
  });

  it('says which schemes are allowed when it refuses one', async () => {
    const fields = await badFields({ ...VALID, file_url: 'ftp://files.example.com/a.csv' });
    expect(fields['file_url'].join(' ')).toMatch(/http.*s3.*store/);
  });

  it('treats a JSON array body as invalid, not as a task', async () => {
    await expect(parse([VALID])).rejects.toBeInstanceOf(FerryError);
  });
});
