import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';

import type { Response } from 'express';

import { ErrorCode, FerryError, Permission } from '@ferry/contracts';

import { CurrentPrincipal, Principal, RequirePermission } from '../auth/principal';
import { ApiAuthErrors, ApiErrors } from '../errors/api-errors.decorator';
import { TasksService } from '../tasks/tasks.service';
import { type StreamRefusal, StreamSlots } from './stream-slots';
import { TaskWatchHub } from './task-watch.hub';

const MAX_BUFFERED_BYTES = 1024 * 1024;

/** When a refused client may try again: a stream frees its slot when it ends or its client leaves. */
const STREAM_RETRY_AFTER_SECONDS = 5;

/**
 * `GET /v1/tasks/{id}/events`: Server-Sent Events of a task's progress until it ends. Scoped like
 * GET task (another tenant's task is a 404, sent as a normal JSON error before the stream starts);
 * the stream itself comes from the shared hub, so a thousand watchers cost one subscription.
 */
@ApiTags('Tasks')
@ApiSecurity('ApiKeyAuth')
@ApiAuthErrors()
@Controller('v1/tasks')
export class TaskEventsController {
  constructor(
    private readonly tasks: TasksService,
    private readonly hub: TaskWatchHub,
    private readonly slots: StreamSlots,
  ) {}

  @Get(':id/events')
  @ApiOperation({
    operationId: 'streamTaskEvents',
    summary: "Server-Sent Events of a task's progress until it ends",
    description:
      'event: progress with {task, seq, rows_per_second, percent, eta_seconds}; event: end when ' +
      'the task is COMPLETED or FAILED; a heartbeat comment every 15 s. A key holding ' +
      'FERRY_SSE_MAX_STREAMS_PER_KEY (20) open streams is answered 429 with Retry-After.',
  })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'An event stream' })
  @ApiErrors(404)
  @RequirePermission(Permission.TASK_READ)
  async events(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    // The slot is taken before the first await and given back on 'close', which every response
    // emits once: at the stream's end, on a client that left, and after an error answer (404).
    const slot = this.slots.acquire(p.keyId);
    if ('refused' in slot) {
      res.setHeader('Retry-After', String(STREAM_RETRY_AFTER_SECONDS));
      throw streamsRefused(slot);
    }
    res.on('close', slot.release);
    // A client that left while the key was checked: its 'close' came before the listener.
    if (res.req.socket.destroyed) return slot.release();
    await this.tasks.get(p, id);
    // One that left while the task was read has released its slot; it needs no watcher either.
    if (res.req.socket.destroyed) return;
    res.status(200);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-cache, no-transform');
    res.setHeader('connection', 'keep-alive');
    // Tells nginx-style proxies not to buffer the stream.
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    // EventSource clients reconnect after this many ms if the connection drops.
    res.write('retry: 3000\n\n');
    const stop = this.hub.watch(id, {
      write: (frame) => {
        if (res.writableEnded) return;
        // A client that stopped reading would make its buffer grow without end: cut it off; on
        // reconnecting it gets the current state, so it loses nothing but the backlog.
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          res.end();
          return;
        }
        res.write(frame);
      },
      end: () => {
        if (!res.writableEnded) res.end();
      },
    });
    res.on('close', stop);
  }
}

function streamsRefused(r: StreamRefusal): FerryError {
  const message =
    r.refused === 'key'
      ? `This API key already holds ${r.limit} open event streams (FERRY_SSE_MAX_STREAMS_PER_KEY); close one, or retry in ${STREAM_RETRY_AFTER_SECONDS} s`
      : `This gateway already holds ${r.limit} open event streams (FERRY_SSE_MAX_STREAMS); retry in ${STREAM_RETRY_AFTER_SECONDS} s`;
  return new FerryError(ErrorCode.TOO_MANY_REQUESTS, message, {
    retry_after_seconds: STREAM_RETRY_AFTER_SECONDS,
    limit: r.limit,
  });
}
