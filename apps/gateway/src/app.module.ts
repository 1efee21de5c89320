import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { MessagingModule, messagingConfigFrom } from '@ferry/messaging';
import { PersistenceModule, persistenceConfigFrom } from '@ferry/persistence';
import { HealthController, HealthRegistryModule } from '@ferry/telemetry';
import { ApiKeyGuard } from './auth/api-key.guard';
import { DefaultCredentialsService } from './auth/default-credentials.service';
import { ErrorBodyFilter } from './errors/error-body.filter';
import { GatewayConfig } from './gateway.config';
import { OutboxRelay } from './outbox/outbox.relay';
import { TaskErrorsController } from './tasks/task-errors.controller';
import { TaskErrorsService } from './tasks/task-errors.service';
import { TasksController } from './tasks/tasks.controller';
import { TasksService } from './tasks/tasks.service';

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HealthRegistryModule,
        PersistenceModule.forRoot(persistenceConfigFrom(config)),
        MessagingModule.forRoot(messagingConfigFrom(config, 'ferry-gateway')),
      ],
      controllers: [TasksController, TaskErrorsController, HealthController],
      providers: [
        { provide: GatewayConfig, useValue: config },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ErrorBodyFilter },
        DefaultCredentialsService,
        OutboxRelay,
        TasksService,
        TaskErrorsService,
      ],
    };
  }
}
