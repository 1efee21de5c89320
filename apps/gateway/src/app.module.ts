import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';

import { messagingConfigFrom, MessagingModule } from '@ferry/messaging';
import { persistenceConfigFrom, PersistenceModule } from '@ferry/persistence';
import { HealthController, HealthRegistryModule } from '@ferry/telemetry';

import { ApiKeyGuard } from './auth/api-key.guard';
import { DefaultCredentialsService } from './auth/default-credentials.service';
import { EventPartitionsMaintainer } from './delivery/event-partitions.maintainer';
import { OutboxRelay } from './delivery/outbox.relay';
import { SCHEDULER_CLOCK, SYSTEM_CLOCK, TaskScheduler } from './delivery/task.scheduler';
import { TaskSweeper } from './delivery/task.sweeper';
import { WebhookRelay } from './delivery/webhook.relay';
import { ErrorBodyFilter } from './errors/error-body.filter';
import { FILES_CONTROLLERS, filesProviders } from './files/files.module';
import { GatewayConfig } from './gateway.config';
import { BodyErrorInterceptor } from './http/deferred-body';
import { ApiKeysController, EnvironmentsController } from './keys/api-keys.controller';
import { ApiKeysService } from './keys/api-keys.service';
import { TaskMetricsService } from './metrics/task-metrics.service';
import { TaskEventsController } from './progress/task-events.controller';
import { streamSlotsProvider, taskWatchHubProvider } from './progress/task-watch-hub.provider';
import { RevertsController } from './reverts/reverts.controller';
import { RevertsService } from './reverts/reverts.service';
import { ConnectionsController } from './schedules/connections.controller';
import { ConnectionsService } from './schedules/connections.service';
import { ScheduledTasksController } from './schedules/scheduled-tasks.controller';
import { ScheduledTasksService } from './schedules/scheduled-tasks.service';
import { TaskErrorsController } from './tasks/task-errors.controller';
import { TaskErrorsService } from './tasks/task-errors.service';
import { TasksController } from './tasks/tasks.controller';
import { TasksService } from './tasks/tasks.service';
import { UiController } from './ui/ui.controller';
import { WebhooksController } from './webhooks/webhooks.controller';

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HealthRegistryModule,
        PersistenceModule.forRoot({
          ...persistenceConfigFrom(config),
          secretsKey: config.FERRY_SECRETS_KEY,
        }),
        MessagingModule.forRoot(messagingConfigFrom(config, 'ferry-gateway')),
      ],
      controllers: [
        // Before TasksController: `/v1/tasks/scheduled` must not be taken for a task id.
        ScheduledTasksController,
        ConnectionsController,
        TasksController,
        TaskEventsController,
        TaskErrorsController,
        ApiKeysController,
        EnvironmentsController,
        RevertsController,
        WebhooksController,
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
        WebhookRelay,
        { provide: SCHEDULER_CLOCK, useValue: SYSTEM_CLOCK },
        TaskScheduler,
        EventPartitionsMaintainer,
        TasksService,
        RevertsService,
        ScheduledTasksService,
        ConnectionsService,
        ...filesProviders(config),
        taskWatchHubProvider,
        streamSlotsProvider,
        TaskErrorsService,
        ApiKeysService,
      ],
    };
  }
}
