import { ApiKeyEntity } from './api-key.entity';
import { EnvironmentEntity } from './environment.entity';
import { OutboxEntity } from './outbox.entity';
import { TaskEntity } from './task.entity';
import { TaskCheckpointEntity } from './task-checkpoint.entity';
import { TaskRowErrorEntity } from './task-row-error.entity';
import { TenantEntity } from './tenant.entity';

/** Every entity, as classes: the apps are bundled with webpack, where globs find nothing. */
export const PERSISTENCE_ENTITIES = [
  TenantEntity,
  EnvironmentEntity,
  ApiKeyEntity,
  TaskEntity,
  OutboxEntity,
  TaskCheckpointEntity,
  TaskRowErrorEntity,
];
