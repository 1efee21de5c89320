import { type Subjects, type TaskCreatedEvent, taskCreatedMsgId } from '@ferry/contracts';
import type { OutboxMessage, TaskEntity } from '@ferry/persistence';
import { traceHeaders } from '@ferry/telemetry';

/**
 * The `task.created` message of a task's current attempt, built from its row: the same for the
 * first publish, a retry and a sweeper's re-drive (which adds its own suffix to the msgID).
 */
export function taskCreatedMessage(task: TaskEntity, subjects: Subjects): OutboxMessage {
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
