import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { FerryError, Permission } from '@ferry/contracts';
import { CurrentPrincipal, Principal, RequirePermission } from '../auth/principal';
import { CreateTaskDto } from './create-task.dto';
import { ListTasksQuery } from './list-tasks.query';
import { TasksService } from './tasks.service';
import { UpdateTaskStatusDto } from './update-task-status.dto';

@Controller('v1/tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Post()
  @HttpCode(202)
  @RequirePermission(Permission.TASK_WRITE)
  create(
    @CurrentPrincipal() p: Principal,
    @Body() dto: CreateTaskDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) {
      throw FerryError.validation('Idempotency-Key must be 1 to 255 printable characters');
    }
    return this.tasks.create(p, dto, idempotencyKey);
  }

  @Get()
  @RequirePermission(Permission.TASK_READ)
  list(@CurrentPrincipal() p: Principal, @Query() query: ListTasksQuery) {
    return this.tasks.list(p, query);
  }

  @Get(':id')
  @RequirePermission(Permission.TASK_READ)
  get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.tasks.get(p, id);
  }

  @Put(':id/status')
  @HttpCode(200)
  @RequirePermission(Permission.TASK_WRITE)
  changeStatus(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() dto: UpdateTaskStatusDto,
  ) {
    return this.tasks.changeStatus(p, id, dto.task_status);
  }
}
