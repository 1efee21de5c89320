import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';

import type { Response } from 'express';

import { Permission } from '@ferry/contracts';

import { CurrentPrincipal, Principal, RequirePermission } from '../auth/principal';
import { ApiAuthErrors, ApiErrors } from '../errors/api-errors.decorator';
import { TasksService } from '../tasks/tasks.service';
import { TaskWatchHub } from './task-watch.hub';

const MAX_BUFFERED_BYTES = 1024 * 1024;

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
  ) {}

  @Get(':id/events')
  @ApiOperation({
    operationId: 'streamTaskEvents',
    summary: "Server-Sent Events of a task's progress until it ends",
    description:
      'event: progress with {task, seq, rows_per_second, percent, eta_seconds}; event: end when ' +
      'the task is COMPLETED or FAILED; a heartbeat comment every 15 s.',
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
    await this.tasks.get(p, id);
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
