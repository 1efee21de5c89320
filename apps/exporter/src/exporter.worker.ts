import { TaskType } from '@ferry/contracts';
import { fetchPolicyFrom, ObjectStorages } from '@ferry/files';
import {
  EXPORT_DEFINITIONS,
  ExportRunner,
  StatusPublisher,
  type TaskWorkerDefinition,
} from '@ferry/transfer';

import { ExporterConfig } from './exporter.config';

/**
 * The exporter: one durable consumer and handler per entity type that has an export definition,
 * each handing its tasks to the ExportRunner.
 */
export const exporterWorker: TaskWorkerDefinition<ExporterConfig> = {
  service: 'exporter',
  taskType: TaskType.EXPORT,
  config: ExporterConfig,
  entityTypes: [...EXPORT_DEFINITIONS.keys()],
  concurrency: (config) => config.FERRY_EXPORT_CONCURRENCY,
  secretsKey: (config) => config.FERRY_SECRETS_KEY,
  runner: ({ config, ds, js, subjects, connections }) =>
    new ExportRunner(
      ds,
      new StatusPublisher(js, subjects),
      ObjectStorages.fromConfig(config, js.nc),
      EXPORT_DEFINITIONS,
      {
        progressIntervalMs: config.FERRY_PROGRESS_INTERVAL_MS,
        fetch: fetchPolicyFrom(config),
      },
      connections,
    ),
};
