import { DynamicModule, Module } from '@nestjs/common';

import { DataSource } from 'typeorm';

import { Subjects } from '@ferry/contracts';
import { fetchPolicyFrom, ObjectStorages } from '@ferry/files';
import { JetStreamClient, messagingConfigFrom, MessagingModule } from '@ferry/messaging';
import { persistenceConfigFrom, PersistenceModule } from '@ferry/persistence';
import { HealthController, HealthRegistryModule } from '@ferry/telemetry';
import { EXPORT_DEFINITIONS, ExportRunner, StatusPublisher } from '@ferry/transfer';

import { ExporterConfig } from './exporter.config';

@Module({})
export class AppModule {
  static forRoot(config: ExporterConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HealthRegistryModule,
        PersistenceModule.forRoot(persistenceConfigFrom(config)),
        MessagingModule.forRoot(messagingConfigFrom(config, 'ferry-exporter')),
      ],
      controllers: [HealthController],
      providers: [
        {
          provide: ExportRunner,
          useFactory: (ds: DataSource, js: JetStreamClient, subjects: Subjects) =>
            new ExportRunner(
              ds,
              new StatusPublisher(js, subjects),
              ObjectStorages.fromConfig(config, js.nc),
              EXPORT_DEFINITIONS,
              {
                fetchRows: config.FERRY_EXPORT_FETCH_ROWS,
                progressIntervalMs: config.FERRY_PROGRESS_INTERVAL_MS,
                fetch: fetchPolicyFrom(config),
              },
            ),
          inject: [DataSource, JetStreamClient, Subjects],
        },
      ],
    };
  }
}
