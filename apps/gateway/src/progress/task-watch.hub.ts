import { Logger, type OnModuleDestroy } from '@nestjs/common';

import { isFinalStatus, parseEvent, type Subjects, TaskStatusEvent } from '@ferry/contracts';
import type { Msg, NatsConnection, Subscription } from '@ferry/messaging';
import type { TaskEntity } from '@ferry/persistence';

import { type ProgressSnapshot, TaskProgress } from './task-progress';

/** One open SSE response, as the hub sees it: frames to write, and the end of the stream. */
export interface TaskWatcher {
  write(frame: string): void;
  end(): void;
}

/** Reads a task row by id (scoping is the caller's job: it checked the watcher may see the task). */
export type TaskLoader = (id: string) => Promise<TaskEntity | null>;

export interface TaskWatchHubOptions {
  /** A comment line this often keeps proxies and clients from timing the stream out. */
  heartbeatMs: number;
  /** The task row is re-read this often per watched task, in case an event was missed. */
  pollMs: number;
  /**
   * When a worker's event ends the task before the status service has written the row, `end` is
   * held until the row says so too (re-read every 50 ms, for at most this long), so a client that
   * reads the task or its download right after the stream ends sees it finished (default 5 s;
   * 0 sends `end` on the event alone).
   */
  settleMs?: number;
}

const SETTLE_READ_MS = 50;

/** Everything the hub keeps for one watched task; shared by all of its watchers. */
interface Channel {
  id: string;
  watchers: Set<TaskWatcher>;
  /** Null until the row has been read; events that arrive before wait in `early`. */
  progress: TaskProgress | null;
  early: TaskStatusEvent[];
  sub: Subscription;
  timers: NodeJS.Timeout[];
  polling: boolean;
  /** The final state was sent; `end` waits for the row (see settleMs). */
  ending: boolean;
  closed: boolean;
}

export const sseFrame = (event: string, data: unknown, id?: number): string =>
  `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Fans a task's progress out to any number of SSE watchers at the cost of one: per watched task,
 * one core NATS subscription on `task.status.<id>` (a core subscriber sees the messages workers
 * publish to JetStream), one projected state kept in memory (so the database is not read per
 * event or per watcher), one frame serialised per change, one heartbeat timer and one safety
 * poll of the row. The channel closes when the task ends or its last watcher leaves.
 */
export class TaskWatchHub implements OnModuleDestroy {
  private readonly logger = new Logger(TaskWatchHub.name);
  private readonly channels = new Map<string, Channel>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly load: TaskLoader,
    private readonly options: TaskWatchHubOptions,
  ) {}

  /** Starts sending `taskId`'s progress to `watcher`; returns the function that stops it. */
  watch(taskId: string, watcher: TaskWatcher): () => void {
    let channel = this.channels.get(taskId);
    if (!channel) {
      channel = this.open(taskId);
    } else if (channel.progress) {
      watcher.write(sseFrame('progress', channel.progress.snapshot(), channel.progress.lastSeq));
    }
    channel.watchers.add(watcher);
    const ch = channel;
    return () => {
      ch.watchers.delete(watcher);
      if (ch.watchers.size === 0) this.close(ch);
    };
  }

  /** How many tasks are watched (one subscription each) and by how many watchers in all. */
  stats(): { tasks: number; watchers: number } {
    let watchers = 0;
    for (const ch of this.channels.values()) watchers += ch.watchers.size;
    return { tasks: this.channels.size, watchers };
  }

  /** Open streams would otherwise hold the HTTP server's close (and a rolling restart) up. */
  onModuleDestroy(): void {
    for (const ch of [...this.channels.values()]) this.finish(ch);
  }

  private open(id: string): Channel {
    const ch: Channel = {
      id,
      watchers: new Set(),
      progress: null,
      early: [],
      sub: this.nc.subscribe(this.subjects.taskStatus(id), {
        callback: (err, msg) => {
          if (!err) this.onMessage(ch, msg);
        },
      }),
      timers: [],
      polling: false,
      ending: false,
      closed: false,
    };
    ch.timers.push(
      setInterval(() => this.broadcast(ch, ': heartbeat\n\n'), this.options.heartbeatMs),
      setInterval(() => void this.poll(ch), this.options.pollMs),
    );
    this.channels.set(id, ch);
    void this.poll(ch); // the first poll seeds the state
    return ch;
  }

  /**
   * Subscribe first, then read the row, then apply the events that came meanwhile: an event
   * published in between is not lost, and one the row already holds is ignored by its seq.
   */
  private async seed(ch: Channel): Promise<void> {
    await this.nc.flush();
    const row = await this.load(ch.id);
    if (ch.closed) return;
    if (!row) return this.finish(ch);
    const progress = new TaskProgress(row);
    for (const e of ch.early) progress.applyEvent(e);
    ch.early = [];
    ch.progress = progress;
    this.changed(ch, progress, isFinalStatus(row.task_status));
  }

  private onMessage(ch: Channel, msg: Msg): void {
    let event: TaskStatusEvent;
    try {
      event = parseEvent(TaskStatusEvent, msg.json());
    } catch (err) {
      this.logger.debug(`Ignoring a malformed status message for ${ch.id}: ${String(err)}`);
      return;
    }
    if (event.task_id !== ch.id) return;
    if (!ch.progress) {
      ch.early.push(event);
      return;
    }
    if (ch.progress.applyEvent(event)) this.changed(ch, ch.progress);
  }

  /** Seeds the state, or reconciles it with the row; never two at once for one task. */
  private async poll(ch: Channel): Promise<void> {
    if (ch.polling || ch.closed) return;
    ch.polling = true;
    try {
      if (!ch.progress) return await this.seed(ch);
      const row = await this.load(ch.id);
      if (ch.closed) return;
      if (!row) return this.finish(ch);
      if (ch.progress.applyRow(row)) this.changed(ch, ch.progress, isFinalStatus(row.task_status));
    } catch (err) {
      // The next poll tries again; watchers meanwhile get heartbeats.
      this.logger.warn(`Reading task ${ch.id} for its watchers failed: ${(err as Error).message}`);
    } finally {
      ch.polling = false;
    }
  }

  /** Sends the new state; once it is final, ends the streams (when the row agrees). */
  private changed(ch: Channel, progress: TaskProgress, rowIsFinal = false): void {
    const snapshot: ProgressSnapshot = progress.snapshot();
    this.broadcast(ch, sseFrame('progress', snapshot, progress.lastSeq));
    if (!progress.isFinal || ch.ending) return;
    ch.ending = true;
    if (rowIsFinal || !this.options.settleMs) this.end(ch, progress);
    else void this.endOnceStored(ch, progress, Date.now() + this.options.settleMs);
  }

  /** Waits (bounded) until the task row is final too, then ends the streams. */
  private async endOnceStored(
    ch: Channel,
    progress: TaskProgress,
    deadline: number,
  ): Promise<void> {
    while (!ch.closed && Date.now() < deadline) {
      const row = await this.load(ch.id).catch(() => undefined);
      if (row === null || (row && isFinalStatus(row.task_status))) break;
      await new Promise((r) => setTimeout(r, SETTLE_READ_MS));
    }
    if (!ch.closed) this.end(ch, progress);
  }

  private end(ch: Channel, progress: TaskProgress): void {
    this.broadcast(ch, sseFrame('end', { task_status: progress.status }));
    this.finish(ch);
  }

  private broadcast(ch: Channel, frame: string): void {
    for (const w of ch.watchers) w.write(frame);
  }

  /** Ends every watcher's stream and releases the channel. */
  private finish(ch: Channel): void {
    const watchers = [...ch.watchers];
    this.close(ch);
    for (const w of watchers) w.end();
  }

  private close(ch: Channel): void {
    if (ch.closed) return;
    ch.closed = true;
    ch.watchers.clear();
    for (const t of ch.timers) clearInterval(t);
    ch.sub.unsubscribe();
    if (this.channels.get(ch.id) === ch) this.channels.delete(ch.id);
  }
}
