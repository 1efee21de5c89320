import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { MessagingModule, messagingConfigFrom } from '@ferry/messaging';
import { PersistenceModule, persistenceConfigFrom } from '@ferry/persistence';
import { HealthController, HealthRegistryModule } from '@ferry/telemetry';
import { ApiKeyGuard } from './auth/api-key.guard';
import { DefaultCredentialsService } from './auth/default-credentials.service';
import { FILES_CONTROLLERS, filesProviders } from './files/files.module';
import { BodyErrorInterceptor } from './errors/deferred-body';
import { ErrorBodyFilter } from './errors/error-body.filter';
import { TaskEventsController } from './events/task-events.controller';
import { taskWatchHubProvider } from './events/task-watch-hub.provider';
import { GatewayConfig } from './gateway.config';
import { TaskMetricsService } from './metrics/task-metrics.service';
import { OutboxRelay } from './outbox/outbox.relay';
import { TaskSweeper } from './outbox/task.sweeper';
import { TaskErrorsController } from './tasks/task-errors.controller';
import { TaskErrorsService } from './tasks/task-errors.service';
import { TasksController } from './tasks/tasks.controller';
import { TasksService } from './tasks/tasks.service';
import { UiController } from './ui/ui.controller';

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
      controllers: [
        TasksController,
        TaskEventsController,
        TaskErrorsController,
        UiController,
        HealthController,
        ...FILES_CONTROLLERS,
      ],
      providers: [
        { provide: GatewayConfig, useValue: config },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ErrorBodyFilter },
        { provide: APP_INTERCEPTOR, useClass: BodyErrorInterceptor },
        DefaultCredentialsService,
        TaskMetricsService,
        OutboxRelay,
        TaskSweeper,
        TasksService,
        ...filesProviders(config),
        taskWatchHubProvider,
        TaskErrorsService,
      ],
    };
  }
}
