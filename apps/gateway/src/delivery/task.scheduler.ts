import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';

import { Subjects } from '@ferry/contracts';
import { ScheduleRunRepository } from '@ferry/persistence';

import { GatewayConfig } from '../gateway.config';
import { OutboxRelay } from './outbox.relay';
import { planSlotRun } from './schedule-run.planner';
import { taskCreatedMessage } from './task-created.message';

/** What the scheduler reads the time from; tests move it (no sleeps). */
export interface Clock {
  now(): Date;
}

export const SCHEDULER_CLOCK = Symbol('SchedulerClock');
export const SYSTEM_CLOCK: Clock = { now: () => new Date() };

/**
 * Runs scheduled exports (docs/API.md §4, docs/ARCHITECTURE.md invariant 11). Every gateway
 * replica runs one, next to the outbox relay and the task sweeper: the gateway is what creates
 * tasks. Each tick takes due schedules one at a time under `FOR UPDATE SKIP LOCKED` and, in one
 * transaction, writes the slot's run row (unique per slot), its EXPORT task and outbox row, and
 * the schedule's next cursor; the relay then publishes. Slots missed while Ferry was down are
 * caught up oldest first, at most `FERRY_SCHEDULE_MAX_CATCHUP` of them; a run whose task FAILED
 * is retried after each delay of `FERRY_SCHEDULE_RETRY_BACKOFF_MS`, then left FAILED.
 */
@Injectable()
export class TaskScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TaskScheduler.name);
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private readonly backoffMs: number[];

  constructor(
    private readonly runs: ScheduleRunRepository,
    private readonly relay: OutboxRelay,
    private readonly subjects: Subjects,
    private readonly config: GatewayConfig,
    @Inject(SCHEDULER_CLOCK) private readonly clock: Clock,
  ) {
    this.backoffMs = config.FERRY_SCHEDULE_RETRY_BACKOFF_MS.split(',').map(Number);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.FERRY_SCHEDULER_TICK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One pass: every due slot (up to `maxRuns`) and every failed run whose retry time came. */
  async tick(maxRuns = 500): Promise<{ runs: string[]; retried: string[] }> {
    const out = { runs: [] as string[], retried: [] as string[] };
    if (this.ticking) return out;
    this.ticking = true;
    try {
      const now = this.clock.now();
      for (let i = 0; i < maxRuns; i++) {
        const run = await this.runs.runDue(now, (s, watermark) =>
          planSlotRun(s, now, watermark, this.config.FERRY_SCHEDULE_MAX_CATCHUP, this.subjects),
        );
        if (run === null) break;
        if (run === 'advanced') continue;
        this.relay.publishSoon({ id: run.outboxId, ...run.message });
        out.runs.push(run.taskId);
      }
      const retried = await this.runs.retryFailed(now, this.backoffMs, 100, (t) =>
        taskCreatedMessage(t, this.subjects),
      );
      for (const r of retried) {
        this.relay.publishSoon({ id: r.outboxId, ...r.message });
        out.retried.push(r.taskId);
      }
      if (out.runs.length || out.retried.length) {
        this.logger.log(
          `scheduler ran ${out.runs.length} slot(s), retried ${out.retried.length} failed run(s)`,
        );
      }
    } catch (err) {
      this.logger.warn(`scheduler tick failed: ${String(err)}`);
    } finally {
      this.ticking = false;
    }
    return out;
  }
}
