import { TaskType } from '@ferry/contracts';
import { fetchPolicyFrom, ObjectStorages } from '@ferry/files';
import {
  IMPORT_DEFINITIONS,
  ImportRunner,
  StatusPublisher,
  type TaskWorkerDefinition,
} from '@ferry/transfer';

import { ImporterConfig } from './importer.config';

/**
 * The importer: one durable consumer and handler per entity type that has an import definition,
 * each handing its tasks to the ImportRunner.
 */
export const importerWorker: TaskWorkerDefinition<ImporterConfig> = {
  service: 'importer',
  taskType: TaskType.IMPORT,
  config: ImporterConfig,
  entityTypes: [...IMPORT_DEFINITIONS.keys()],
  concurrency: (config) => config.FERRY_IMPORT_CONCURRENCY,
  parts: {
    entityTypes: [...IMPORT_DEFINITIONS.values()].filter((d) => d.splittable).map((d) => d.entity),
    concurrency: (config) => config.FERRY_IMPORT_PART_CONCURRENCY,
  },
  runner: ({ config, ds, js, subjects }) =>
    new ImportRunner(
      ds,
      new StatusPublisher(js, subjects),
      IMPORT_DEFINITIONS,
      {
        batchSize: config.FERRY_IMPORT_BATCH_SIZE,
        batchChars: config.FERRY_IMPORT_BATCH_CHARS,
        writers: config.FERRY_IMPORT_WRITERS,
        progressIntervalMs: config.FERRY_PROGRESS_INTERVAL_MS,
        fetch: fetchPolicyFrom(config),
        allowLoopbackSources: config.FERRY_ALLOW_LOOPBACK_SOURCES,
        maxFileBytes: config.FERRY_MAX_FILE_BYTES,
        maxDecompressedBytes: config.FERRY_MAX_DECOMPRESSED_BYTES,
        connectTimeoutMs: config.FERRY_CONNECT_TIMEOUT_MS,
        idleTimeoutMs: config.FERRY_IDLE_TIMEOUT_MS,
        downloadTimeoutMs: config.FERRY_DOWNLOAD_TIMEOUT_MS,
        minTransferRate: {
          bytesPerSecond: config.FERRY_MIN_TRANSFER_BYTES_PER_S,
          windowMs: config.FERRY_MIN_TRANSFER_WINDOW_MS,
        },
        records: {
          maxRowBytes: config.FERRY_MAX_ROW_BYTES,
          maxColumns: config.FERRY_MAX_COLUMNS,
          maxCellBytes: config.FERRY_MAX_CELL_BYTES,
          maxJsonDepth: config.FERRY_MAX_JSON_DEPTH,
        },
        maxRowErrors: config.FERRY_MAX_ROW_ERRORS,
        split: {
          partBytes: config.FERRY_IMPORT_PART_BYTES,
          publish: async (part, msgID) => {
            await js.publish(subjects.taskPart(part.entity_type), part, { msgID });
          },
        },
      },
      ObjectStorages.fromConfig(config, js.nc),
      config.FERRY_TENANT_MAX_RUNNING_IMPORTS > 0
        ? {
            maxRunning: config.FERRY_TENANT_MAX_RUNNING_IMPORTS,
            minBytes: config.FERRY_TENANT_TURN_MIN_BYTES,
            subject: (task) => subjects.taskCreated(TaskType.IMPORT, task.entity_type),
            republish: async (subject, message) => {
              // A new msgID: the stream's duplicate window must not drop the hand-over.
              const id = `${String(message['task_id'])}:attempt-${String(message['attempt'])}:turn-${Date.now()}`;
              await js.publish(subject, message, { msgID: id });
            },
          }
        : undefined,
    ),
};
