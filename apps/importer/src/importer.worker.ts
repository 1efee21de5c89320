import { TaskType } from '@ferry/contracts';
import { type TaskWorkerDefinition } from '@ferry/messaging';
import { IMPORT_DEFINITIONS, ImportRunner } from '@ferry/transfer';

import { AppModule } from './app.module';
import { ImporterConfig } from './importer.config';

/**
 * The importer: one durable consumer and handler per entity type that has an import definition,
 * each handing its tasks to the ImportRunner.
 */
export const importerWorker: TaskWorkerDefinition<ImporterConfig> = {
  service: 'importer',
  taskType: TaskType.IMPORT,
  config: ImporterConfig,
  module: (config) => AppModule.forRoot(config),
  runner: ImportRunner,
  entityTypes: [...IMPORT_DEFINITIONS.keys()],
  concurrency: (config) => config.FERRY_IMPORT_CONCURRENCY,
};
