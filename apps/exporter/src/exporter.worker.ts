import { TaskType } from '@ferry/contracts';
import { type TaskWorkerDefinition } from '@ferry/messaging';
import { EXPORT_DEFINITIONS, ExportRunner } from '@ferry/transfer';

import { AppModule } from './app.module';
import { ExporterConfig } from './exporter.config';

/**
 * The exporter: one durable consumer and handler per entity type that has an export definition,
 * each handing its tasks to the ExportRunner.
 */
export const exporterWorker: TaskWorkerDefinition<ExporterConfig> = {
  service: 'exporter',
  taskType: TaskType.EXPORT,
  config: ExporterConfig,
  module: (config) => AppModule.forRoot(config),
  runner: ExportRunner,
  entityTypes: [...EXPORT_DEFINITIONS.keys()],
  concurrency: (config) => config.FERRY_EXPORT_CONCURRENCY,
};
