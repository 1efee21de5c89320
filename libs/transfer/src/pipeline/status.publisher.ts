import { Logger } from '@nestjs/common';

import {
  type StatusKind,
  type Subjects,
  type TaskCounters,
  type TaskStatusEvent,
} from '@ferry/contracts';
import type { JetStreamClient } from '@ferry/messaging';

export interface StatusNews {
  kind: StatusKind;
  seq: number;
  counters: TaskCounters;
  error_summary?: string | null;
  metadata?: Record<string, unknown>;
  file_url?: string;
}

/**
 * Publishes a worker's news as `task.status.<id>` with msgID `<id>:<seq>`: a repeat after a crash
 * is dropped by JetStream, or by the status service's sequence check outside the duplicate window.
 */
export class StatusPublisher {
  private readonly logger = new Logger(StatusPublisher.name);

  constructor(
    private readonly js: JetStreamClient,
    private readonly subjects: Subjects,
  ) {}

  async publish(taskId: string, news: StatusNews): Promise<void> {
    const event: TaskStatusEvent = { task_id: taskId, at: new Date().toISOString(), ...news };
    await this.js.publish(this.subjects.taskStatus(taskId), event, {
      msgID: `${taskId}:${news.seq}`,
    });
  }

  /**
   * Progress is best effort: a later event carries the same counters, so a lost one only delays
   * what the user sees. Final news (completed, failed) must use `publish` and fail loudly.
   */
  async publishProgress(taskId: string, news: StatusNews): Promise<void> {
    try {
      await this.publish(taskId, news);
    } catch (err) {
      this.logger.warn(`progress of ${taskId}#${news.seq} not published: ${String(err)}`);
    }
  }
}
