import { type EntityType, type TaskType } from './enums';

/**
 * Subject layout (docs/ARCHITECTURE.md). Every consumer needs one filter subject (nats-server 2.9):
 *   <p>task.created.<import|export>.<entity>   gateway relay → importer / exporter
 *   <p>task.part.import.<entity>               a split import's parts → any importer
 *   <p>task.status.<task_id>                   workers → status service
 *   <p>dlq.<original subject>                  messages that exhausted their deliveries
 * `<p>` is an optional prefix (`FERRY_NATS_PREFIX`), so that test runs and environments sharing
 * one NATS server never see each other's subjects or streams.
 */
export class Subjects {
  readonly prefix: string;

  constructor(prefix = '') {
    if (prefix && !/^[A-Za-z0-9_-]+$/.test(prefix)) {
      throw new Error(`NATS prefix "${prefix}" may hold only letters, digits, "_" and "-"`);
    }
    this.prefix = prefix;
  }

  private p(subject: string): string {
    return this.prefix ? `${this.prefix}.${subject}` : subject;
  }

  /** Logical pattern (as written in @EventPattern) → real subject. */
  resolve(pattern: string): string {
    return this.p(pattern);
  }

  taskCreated(taskType: TaskType, entity: EntityType): string {
    return this.p(taskCreatedPattern(taskType, entity));
  }

  /** The parts of split imports (docs/DECISIONS.md 128): one message per part. */
  taskPart(entity: EntityType): string {
    return this.p(taskPartPattern(entity));
  }

  taskStatus(taskId: string): string {
    return this.p(`task.status.${taskId}`);
  }

  /** Everything on the TASKS stream. */
  get tasksWildcard(): string {
    return this.p('task.>');
  }

  get statusWildcard(): string {
    return this.p('task.status.>');
  }

  get dlqWildcard(): string {
    return this.p('dlq.>');
  }

  deadLetter(originalSubject: string): string {
    const bare = this.prefix ? originalSubject.slice(this.prefix.length + 1) : originalSubject;
    return this.p(`dlq.${bare}`);
  }

  /** Stream names: TASKS and DLQ, upper-cased prefix in front when there is one. */
  get tasksStream(): string {
    return this.prefix ? `${this.prefix.toUpperCase()}_TASKS` : 'TASKS';
  }

  get dlqStream(): string {
    return this.prefix ? `${this.prefix.toUpperCase()}_DLQ` : 'DLQ';
  }
}

/** The logical pattern an importer / exporter handler subscribes to. */
export function taskCreatedPattern(taskType: TaskType, entity: EntityType): string {
  return `task.created.${taskType.toLowerCase()}.${entity.toLowerCase()}`;
}

/** The logical pattern the importer's part handler of `entity` subscribes to. */
export function taskPartPattern(entity: EntityType): string {
  return `task.part.import.${entity.toLowerCase()}`;
}

export const TASK_STATUS_PATTERN = 'task.status.>';
