import { Logger } from '@nestjs/common';

import { type DataSource } from 'typeorm';

import { type TaskCreatedEvent } from '@ferry/contracts';
import { TaskTurnRepository, type TurnLock } from '@ferry/persistence';

/** How many imports one tenant may run at once, and how a parked task's message is sent again. */
export interface TurnSettings {
  /** Imports of one tenant+environment and entity type running at once, across all importers. */
  maxRunning: number;
  /** Files declared smaller than this run without a turn (they hold no slot for long). */
  minBytes: number;
  /** The subject a task's `task.created` message goes to. */
  subject(task: TaskCreatedEvent): string;
  /** Publishes a parked task's message again (a new msgID: it is a new prompt). */
  republish(subject: string, message: Record<string, unknown>): Promise<void>;
}

/**
 * Per-tenant turns of imports (docs/DECISIONS.md 125; issue 16 "fairness"). The consumer of an
 * entity type hands its messages out in the order they were published, so ten large imports of
 * one tenant used to keep every slot, and another tenant's 10-row import waited behind them all.
 * Now a delivery first takes one of its tenant's `maxRunning` turns; when none is free it parks
 * the task with its message and returns (the message is acked), and the slot takes the next
 * message, another tenant's perhaps. The import that ends hands its turn to the oldest parked
 * task of its tenant by publishing that task's message again. A file declared smaller than
 * `minBytes` needs no turn: it is over in a moment, and a burst of a thousand small tasks of one
 * tenant must not run one at a time.
 */
export class ImportTurns {
  private readonly logger = new Logger(ImportTurns.name);
  private readonly repo: TaskTurnRepository;

  constructor(
    ds: DataSource,
    private readonly settings: TurnSettings,
  ) {
    this.repo = new TaskTurnRepository(ds);
  }

  get minBytes(): number {
    return this.settings.minBytes;
  }

  static key(task: TaskCreatedEvent): string {
    return `${task.tenant_id}/${task.environment_id}/${task.entity_type}`;
  }

  /** A turn, or null when the task was parked to wait for one. */
  async take(task: TaskCreatedEvent): Promise<TurnLock | null> {
    const key = ImportTurns.key(task);
    const limit = this.settings.maxRunning;
    const turn = await this.repo.tryTake(key, limit);
    if (turn) {
      // A message of a task that was parked and also re-sent (the sweeper's backstop).
      await this.repo.unpark(task.task_id);
      return turn;
    }
    const message = { ...task } as unknown as Record<string, unknown>;
    await this.repo.park(task.task_id, key, this.settings.subject(task), message);
    // The turn may have ended between the try and the park, its hand-over finding nobody: try
    // once more, so a parked task never waits for a turn that is already free.
    const late = await this.repo.tryTake(key, limit);
    if (!late) {
      this.logger.log(`task ${task.task_id} waits for a turn of ${key} (${limit} running)`);
      return null;
    }
    if (await this.repo.unpark(task.task_id)) return late;
    // Handed a turn meanwhile: its message is on its way; that delivery runs it.
    await late.release();
    return null;
  }

  /** Ends the turn and hands it to the oldest task waiting for one. */
  async release(task: TaskCreatedEvent, turn: TurnLock): Promise<void> {
    await turn.release();
    const key = ImportTurns.key(task);
    try {
      const next = await this.repo.next(key);
      if (next) await this.settings.republish(next.subject, next.message);
    } catch (err) {
      // The sweeper re-sends a parked task that waits too long (FERRY_PENDING_REDRIVE_MS).
      this.logger.warn(`could not hand the turn of ${key} on: ${String(err)}`);
    }
  }
}
