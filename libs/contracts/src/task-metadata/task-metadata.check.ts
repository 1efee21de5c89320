import { type EntityType, TaskType } from '../enums';
import { FerryError } from '../ferry.error';
import { describeJsonShapeProblem, findJsonShapeProblem } from '../json-shape.check';
import { parseExportColumns } from './export-columns.parser';
import { parseExportConnection } from './export-connection.parser';
import { parseExportSelection } from './export-selection.parser';
import { parseWatermarkRange } from './export-watermark.parser';
import { parseImportPolicy } from './import-policy.parser';
import { parseMaxErrors } from './max-errors.parser';
import { refuseRevertOf } from './revert-of.parser';
import { parseStrict } from './strict.parser';
import { parseWebhookUrls } from './webhook-urls.parser';

/**
 * Bounds of a task's `metadata` (docs/API.md §1). It is stored with the task and sent back in every
 * TaskResponse and every live-progress message, and the options in it are a few flat keys: these
 * leave room for any honest use and none for a body built to exhaust the gateway. Fixed, not
 * settings: no deployment needs bigger.
 */
export const TASK_METADATA_LIMITS = {
  /** Levels of objects and arrays, `metadata` itself being level 1. */
  maxDepth: 16,
  /** Keys of one object, items of one array. */
  maxEntries: 100,
  /** Characters of the whole object as JSON. */
  maxChars: 16 * 1024,
} as const;

export interface NewTaskOptions {
  task_type: TaskType;
  entity_type: EntityType;
  metadata?: Readonly<Record<string, unknown>>;
}

/**
 * Everything about a new task's metadata that can be refused before the task exists: its shape,
 * then the options its worker will read (an export's selection, an import's `max_errors`), by the
 * very functions the worker runs. Throws a validation FerryError whose sentence names the key and
 * the value, with `details.fields`.
 */
export function checkTaskMetadata(task: NewTaskOptions): void {
  const metadata = task.metadata;
  if (metadata === undefined) return;
  const problem = findJsonShapeProblem(metadata, TASK_METADATA_LIMITS, 'metadata');
  if (problem) {
    const message = describeJsonShapeProblem(problem, 'metadata');
    throw FerryError.validation(message, { fields: { metadata: [message] } });
  }
  const chars = JSON.stringify(metadata).length;
  if (chars > TASK_METADATA_LIMITS.maxChars) {
    const message = `metadata is ${chars} characters of JSON; it may be at most ${TASK_METADATA_LIMITS.maxChars}`;
    throw FerryError.validation(message, { fields: { metadata: [message] } });
  }
  parseWebhookUrls(metadata);
  if (task.task_type === TaskType.EXPORT) {
    parseExportSelection(metadata, { entity: task.entity_type });
    parseExportColumns(metadata['columns'], task.entity_type);
    parseWatermarkRange(metadata);
    parseExportConnection(metadata);
  } else {
    parseMaxErrors(metadata);
    parseStrict(metadata);
    parseImportPolicy(metadata);
    refuseRevertOf(metadata);
  }
}
