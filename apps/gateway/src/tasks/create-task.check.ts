import { checkTaskMetadata, FerryError, TaskType } from '@ferry/contracts';
import { checkObjectUrl, isObjectUrl } from '@ferry/files';

import type { CreateTaskDto } from './create-task.dto';

/**
 * What a worker would refuse about a new task without reading a byte, refused before the task
 * exists, as a 400 whose sentence names the field and the value (docs/API.md §1): the bounds of
 * `metadata` and the options its worker reads, and an object `file_url`'s form, `..` and built-in
 * store bucket. These are the functions the workers run (libs/contracts, libs/files), and the
 * workers keep running them: a retried task or one from an older gateway meets the same rules.
 */
export function checkNewTask(dto: CreateTaskDto, storeBuckets: readonly string[]): void {
  checkTaskMetadata(dto);
  if (!isObjectUrl(dto.file_url)) return;
  const role = dto.task_type === TaskType.IMPORT ? 'source' : 'destination';
  try {
    checkObjectUrl(dto.file_url, role, storeBuckets);
  } catch (err) {
    if (!(err instanceof FerryError)) throw err;
    throw FerryError.validation(err.message, {
      ...err.details,
      fields: { file_url: [err.message] },
    });
  }
}
