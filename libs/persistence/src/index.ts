// TypeORM data source, entities, migrations (never synchronize), repositories.
export * from './persistence.config';
export * from './advisory-locks';
export * from './bigint.transformer';
export * from './data-source.factory';
export * from './migration.runner';
export * from './run-migrations';
export * from './migrate.command';
export * from './database.admin';
export * from './pg-client.helper';

export * from './entities/tenant.entity';
export * from './entities/environment.entity';
export * from './entities/api-key.entity';
export * from './entities/task.entity';
export * from './entities/outbox.entity';
export * from './entities/task-checkpoint.entity';
export * from './entities/task-row-error.entity';
export * from './entities/entity.list';
export * from './migrations/migration.list';

export * from './api-key.hash';
export * from './admin.command';
export * from './repositories/api-key.repository';
export * from './repositories/task.types';
export * from './repositories/task.repository';
export * from './repositories/task-state.repository';
export * from './repositories/checkpoint.repository';
export * from './repositories/import-part.repository';
export * from './repositories/outbox.repository';
export * from './repositories/task-sweep.repository';
export * from './repositories/task-row-error.repository';
export * from './repositories/task-row-warning.repository';
export * from './repositories/upload.repository';
export * from './repositories/webhook.repository';
export * from './repositories/connection.repository';
export * from './repositories/scheduled-task.types';
export * from './repositories/scheduled-task.repository';
export * from './repositories/schedule-run.repository';
export * from './repositories/event-partition.repository';
export * from './repositories/task-turn.repository';
export * from './secret-box';
export * from './credentials.provisioner';
export * from './default-credentials.bootstrap';

export * from './persistence.module';
