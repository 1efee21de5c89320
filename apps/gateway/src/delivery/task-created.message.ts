import { type Subjects, type TaskCreatedEvent, taskCreatedMsgId } from '@ferry/contracts';
import type { OutboxDraft, TaskEntity } from '@ferry/persistence';
import { traceHeaders } from '@ferry/telemetry';

/** What the message is built from: a task row, or a new task before its row is written. */
export type TaskCreatedSource = Pick<
  TaskEntity,
  | 'id'
  | 'tenant_id'
  | 'environment_id'
  | 'task_type'
  | 'entity_type'
  | 'file_type'
  | 'file_url'
  | 'metadata'
  | 'attempt'
> & { created_by?: string | null };

/**
 * The `task.created` message of a task's current attempt: the same for the first publish (built
 * before the task's transaction, which writes it to the outbox with the row), a retry (built from
 * the locked row) and a sweeper's re-drive (which gives it its own msgID).
 */
export function taskCreatedMessage(task: TaskCreatedSource, subjects: Subjects): OutboxDraft {
  const payload: TaskCreatedEvent = {
    task_id: task.id,
    tenant_id: task.tenant_id,
    environment_id: task.environment_id,
    task_type: task.task_type,
    entity_type: task.entity_type,
    file_type: task.file_type,
    file_url: task.file_url,
    metadata: task.metadata,
    attempt: task.attempt,
    created_by: task.created_by ?? undefined,
  };
  return {
    subject: subjects.taskCreated(task.task_type, task.entity_type),
    msgId: taskCreatedMsgId(task.id, task.attempt),
    payload,
    // The trace of the request that created (or retried) the task follows its message.
    headers: traceHeaders(),
  };
}
