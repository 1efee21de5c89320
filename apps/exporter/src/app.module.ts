import { DynamicModule, Module } from '@nestjs/common';
import { Subjects } from '@ferry/contracts';
import { StatusPublisher, TaskFailer } from '@ferry/entities';
import { JetStreamClient, MessagingModule, messagingConfigFrom } from '@ferry/messaging';
import { PersistenceModule, persistenceConfigFrom } from '@ferry/persistence';
import { HealthController, HealthRegistryModule } from '@ferry/telemetry';
import { DataSource } from 'typeorm';
import { ExportConsumer } from './export.consumer';
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
      controllers: [ExportConsumer, HealthController],
      providers: [
        {
          provide: TaskFailer,
          useFactory: (ds: DataSource, js: JetStreamClient, subjects: Subjects) =>
            new TaskFailer(ds, new StatusPublisher(js, subjects)),
          inject: [DataSource, JetStreamClient, Subjects],
        },
      ],
    };
  }
}
