import { DynamicModule, Module } from '@nestjs/common';

import { messagingConfigFrom, MessagingModule } from '@ferry/messaging';
import { persistenceConfigFrom, PersistenceModule } from '@ferry/persistence';
import { HealthController, HealthRegistryModule } from '@ferry/telemetry';

import { StatusConfig } from './status.config';
import { StatusConsumer } from './status.consumer';
import { TaskProjectionService } from './task-projection.service';

@Module({})
export class AppModule {
  static forRoot(config: StatusConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HealthRegistryModule,
        PersistenceModule.forRoot(persistenceConfigFrom(config)),
        MessagingModule.forRoot(messagingConfigFrom(config, 'ferry-status')),
      ],
      controllers: [StatusConsumer, HealthController],
      providers: [{ provide: StatusConfig, useValue: config }, TaskProjectionService],
    };
  }
}
