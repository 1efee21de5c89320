import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';

import { Permission } from '@ferry/contracts';

import { CurrentPrincipal, type Principal, RequirePermission } from '../auth/principal';
import { ApiAuthErrors, ApiErrors } from '../errors/api-errors.decorator';
import {
  CreateScheduledTaskDto,
  ListScheduledTasksQuery,
  ScheduledTaskListResponse,
  ScheduledTaskResponse,
  TriggerRunDto,
  TriggerRunResponse,
  UpdateScheduledTaskDto,
} from './scheduled-task.dto';
import { ScheduledTasksService } from './scheduled-tasks.service';

/** Flexprice's scheduled exports, as `@flexprice/sdk`'s `scheduledTasks.*` call them (docs/API.md §4). */
@ApiTags('Scheduled tasks')
@ApiSecurity('ApiKeyAuth')
@ApiAuthErrors()
@Controller('v1/tasks/scheduled')
export class ScheduledTasksController {
  constructor(private readonly schedules: ScheduledTasksService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    operationId: 'createScheduledTask',
    summary: 'Create a scheduled export',
    description:
      'Each slot of the interval runs once, as an EXPORT task with scheduled_task_id set.',
  })
  @ApiResponse({ status: 201, type: ScheduledTaskResponse })
  @ApiErrors(400)
  @RequirePermission(Permission.TASK_WRITE)
  create(@CurrentPrincipal() p: Principal, @Body() dto: CreateScheduledTaskDto) {
    return this.schedules.create(p, dto);
  }

  @Get()
  @ApiOperation({
    operationId: 'listScheduledTasks',
    summary: 'List scheduled exports, newest first',
  })
  @ApiResponse({ status: 200, type: ScheduledTaskListResponse })
  @ApiErrors(400)
  @RequirePermission(Permission.TASK_READ)
  list(@CurrentPrincipal() p: Principal, @Query() q: ListScheduledTasksQuery) {
    return this.schedules.list(p, q);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getScheduledTask', summary: 'Get one scheduled export' })
  @ApiResponse({ status: 200, type: ScheduledTaskResponse })
  @ApiErrors(404)
  @RequirePermission(Permission.TASK_READ)
  get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.schedules.get(p, id);
  }

  @Put(':id')
  @ApiOperation({ operationId: 'updateScheduledTask', summary: 'Pause or resume (enabled)' })
  @ApiResponse({ status: 200, type: ScheduledTaskResponse })
  @ApiErrors(400, 404)
  @RequirePermission(Permission.TASK_WRITE)
  update(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() dto: UpdateScheduledTaskDto,
  ) {
    return this.schedules.setEnabled(p, id, dto.enabled);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteScheduledTask',
    summary: 'Delete (archive) a scheduled export: it never runs again',
  })
  @ApiResponse({ status: 204, description: 'Archived' })
  @ApiErrors(400, 404)
  @RequirePermission(Permission.TASK_WRITE)
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    await this.schedules.archive(p, id);
  }

  @Post(':id/run')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'triggerScheduledTaskRun',
    summary: 'Run now, or over a custom window (both ends, end ≤ now, at most a year)',
  })
  @ApiResponse({ status: 200, type: TriggerRunResponse })
  @ApiErrors(400, 404)
  @RequirePermission(Permission.TASK_WRITE)
  run(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: TriggerRunDto) {
    return this.schedules.run(p, id, dto);
  }
}
