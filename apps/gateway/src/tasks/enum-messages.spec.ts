import { type ArgumentMetadata } from '@nestjs/common';

import {
  EntityType,
  FerryError,
  FileType,
  RecordStatus,
  TaskStatus,
  TaskType,
} from '@ferry/contracts';

import { createValidationPipe } from '../errors/validation.pipe';
import { CreateTaskDto } from './create-task.dto';
import { ListTasksQuery } from './list-tasks.query';
import { UpdateTaskStatusDto } from './update-task-status.dto';

const pipe = createValidationPipe();

async function messagesFor(
  metatype: ArgumentMetadata['metatype'],
  type: ArgumentMetadata['type'],
  value: object,
): Promise<Record<string, string[]>> {
  const err: unknown = await pipe.transform(value, { type, metatype, data: '' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof FerryError)) throw new Error(`expected a FerryError, got ${String(err)}`);
  return err.details['fields'] as Record<string, string[]>;
}

/** The sentence of a bad enum value: every value of the enum, from the enum itself. */
const oneOf = (field: string, values: Record<string, string>) =>
  `${field} must be one of ${Object.values(values).join(', ')}`;

describe('enum messages name every value of their enum', () => {
  it('POST /v1/tasks', async () => {
    const fields = await messagesFor(CreateTaskDto, 'body', {
      task_type: 'SYNC',
      entity_type: 'ORDERS',
      file_type: 'XML',
      file_url: 'https://files.example.com/f.csv',
    });
    expect(fields['task_type']).toEqual([oneOf('task_type', TaskType)]);
    expect(fields['entity_type']).toEqual([oneOf('entity_type', EntityType)]);
    expect(fields['file_type']).toEqual([oneOf('file_type', FileType)]);
  });

  it('GET /v1/tasks', async () => {
    const fields = await messagesFor(ListTasksQuery, 'query', {
      task_type: 'SYNC',
      entity_type: 'ORDERS',
      task_status: 'DONE',
      status: 'gone',
    });
    expect(fields['task_type']).toEqual([oneOf('task_type', TaskType)]);
    expect(fields['entity_type']).toEqual([oneOf('entity_type', EntityType)]);
    expect(fields['task_status']).toEqual([oneOf('task_status', TaskStatus)]);
    expect(fields['status']).toEqual([oneOf('status', RecordStatus)]);
  });

  it('PUT /v1/tasks/{id}/status', async () => {
    const fields = await messagesFor(UpdateTaskStatusDto, 'body', { task_status: 'DONE' });
    expect(fields['task_status']).toEqual([oneOf('task_status', TaskStatus)]);
  });
});
