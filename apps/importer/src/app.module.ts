import { DynamicModule, Module } from '@nestjs/common';

import { DataSource } from 'typeorm';

import { Subjects } from '@ferry/contracts';
import { fetchPolicyFrom, ObjectStorages } from '@ferry/files';
import { JetStreamClient, messagingConfigFrom, MessagingModule } from '@ferry/messaging';
import { persistenceConfigFrom, PersistenceModule } from '@ferry/persistence';
import { HealthController, HealthRegistryModule } from '@ferry/telemetry';
import { IMPORT_DEFINITIONS, ImportRunner, StatusPublisher } from '@ferry/transfer';

import { ImporterConfig } from './importer.config';

@Module({})
export class AppModule {
  static forRoot(config: ImporterConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HealthRegistryModule,
        PersistenceModule.forRoot(persistenceConfigFrom(config)),
        MessagingModule.forRoot(messagingConfigFrom(config, 'ferry-importer')),
      ],
      controllers: [HealthController],
      providers: [
        {
          provide: ImportRunner,
          useFactory: (ds: DataSource, js: JetStreamClient, subjects: Subjects) =>
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
                records: {
                  maxRowBytes: config.FERRY_MAX_ROW_BYTES,
                  maxColumns: config.FERRY_MAX_COLUMNS,
                  maxCellBytes: config.FERRY_MAX_CELL_BYTES,
                  maxJsonDepth: config.FERRY_MAX_JSON_DEPTH,
                },
                maxRowErrors: config.FERRY_MAX_ROW_ERRORS,
              },
              ObjectStorages.fromConfig(config, js.nc),
            ),
          inject: [DataSource, JetStreamClient, Subjects],
        },
      ],
    };
  }
}
