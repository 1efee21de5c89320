import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';

import { DataSource } from 'typeorm';

import { Subjects, taskRedriveMsgId } from '@ferry/contracts';
import { JetStreamClient } from '@ferry/messaging';
import { SweepOutcome, TaskSweepRepository } from '@ferry/persistence';

import { GatewayConfig } from '../gateway.config';
import { taskCreatedMessage } from './task-created.message';

/**
 * No task stays PENDING or PROCESSING forever, even if JetStream loses a message (docs/ARCHITECTURE.md:
 * the broker is the doorbell). A task PENDING too long, or PROCESSING without a status event for
 * too long, gets its current attempt's `created` message published again (msgID
 * `<id>[:attempt-<n>]:redrive-<k>`, `taskRedriveMsgId`): a worker resumes it from the checkpoint,
 * or, if it was finished, announces `completed` again under a new seq.
 * After `FERRY_MAX_REDRIVES` re-drives the task ends FAILED with a sentence; a retry revives it.
 */
@Injectable()
export class TaskSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TaskSweeper.name);
  private timer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    private readonly tasks: TaskSweepRepository,
    private readonly js: JetStreamClient,
    private readonly subjects: Subjects,
    private readonly config: GatewayConfig,
    @Inject(DataSource) private readonly ds: DataSource,
  ) {}

  private lastPurge = 0;

  /**
   * Deletes before-images past FERRY_REVERT_RETENTION_DAYS (docs/API.md §5), at most once an hour:
   * a revert of such an import is refused by then.
   */
  async purgeBeforeImages(now = Date.now()): Promise<void> {
    if (now - this.lastPurge < 3_600_000) return;
    this.lastPurge = now;
    try {
      await this.ds.query(
        `DELETE FROM import_before_images WHERE created_at < now() - make_interval(days => $1)`,
        [this.config.FERRY_REVERT_RETENTION_DAYS],
      );
    } catch (err) {
      this.logger.warn(`before-images not purged: ${String(err)}`);
    }
  }

  /**
   * Drops the tables of EVENTS dry runs that ended without their importer dropping them (a
   * cancel, a kill -9, a delivery given up: docs/API.md §5, docs/DECISIONS.md 114).
   */
  async dropDryRunTables(): Promise<void> {
    try {
      const dropped = await this.tasks.dropEndedDryRunTables();
      if (dropped.length) this.logger.log(`dropped the dry-run tables of ${dropped.join(', ')}`);
    } catch (err) {
      this.logger.warn(`dry-run tables not dropped: ${String(err)}`);
    }
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.FERRY_TASK_SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<SweepOutcome> {
    const none: SweepOutcome = { redriven: [], failed: [] };
    if (this.sweeping) return none;
    this.sweeping = true;
    try {
      await this.purgeBeforeImages();
      await this.dropDryRunTables();
      const c = this.config;
      const out = await this.tasks.sweep(
        {
          pendingMs: c.FERRY_PENDING_REDRIVE_MS,
          processingMs: c.FERRY_PROCESSING_SILENCE_MS,
          maxRedrives: c.FERRY_MAX_REDRIVES,
          limit: 100,
        },
        async (task) => {
          const m = taskCreatedMessage(task, this.subjects);
          try {
            // Its own msgID: a re-drive must get through even inside JetStream's duplicate
            // window (the first message may be the one that was lost); an extra delivery of a
            // task that was fine is harmless (finished: acked; running: fenced by seq).
            const msgID = taskRedriveMsgId(task.id, task.attempt, task.redrives + 1);
            await this.js.publish(m.subject, m.payload, { msgID, timeoutMs: 3000 });
            return true;
          } catch (err) {
            this.logger.warn(`task ${task.id} not re-driven yet: ${String(err)}`);
            return false;
          }
        },
      );
      if (out.redriven.length || out.failed.length) {
        this.logger.warn(
          `sweeper re-drove ${out.redriven.length} quiet task(s), gave up ${out.failed.length}: ${[...out.redriven, ...out.failed].join(', ')}`,
        );
      }
      return out;
    } catch (err) {
      this.logger.warn(`task sweep failed: ${String(err)}`);
      return none;
    } finally {
      this.sweeping = false;
    }
  }
}
