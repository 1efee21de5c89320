import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';

import { FerryError, Permission, TaskType } from '@ferry/contracts';
import { storeBucketList } from '@ferry/files';
import { UploadRepository } from '@ferry/persistence';

import { CurrentPrincipal, Principal, RequirePermission } from '../auth/principal';
import { ApiAuthErrors, ApiErrors } from '../errors/api-errors.decorator';
import { ErrorResponse, MessageResponse } from '../errors/error-response.dto';
import { GatewayConfig } from '../gateway.config';
import { checkNewTask } from './create-task.check';
import { CreateTaskDto } from './create-task.dto';
import { ListTasksQuery } from './list-tasks.query';
import { TaskListResponse } from './task-list.response';
import { TaskResponse } from './task-response';
import { TasksService } from './tasks.service';
import { UpdateTaskStatusDto } from './update-task-status.dto';

@ApiTags('Tasks')
@ApiSecurity('ApiKeyAuth')
@ApiAuthErrors()
@Controller('v1/tasks')
export class TasksController {
  private readonly storeBuckets: readonly string[];

  constructor(
    private readonly tasks: TasksService,
    config: GatewayConfig,
    private readonly uploads: UploadRepository,
  ) {
    this.storeBuckets = storeBucketList(config.FERRY_STORE_BUCKETS);
  }

  @Post()
  @HttpCode(202)
  @ApiOperation({
    operationId: 'createTask',
    summary: 'Create a new task',
    description: 'Accepted at once; follow the task with GET /v1/tasks/{id}.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key and body within 24 h → the same task; another body → 409',
  })
  @ApiResponse({ status: 202, type: TaskResponse })
  @ApiResponse({
    status: 400,
    description:
      'Invalid request: a field, a metadata option, metadata over its bounds, or a store:// bucket not configured',
    type: ErrorResponse,
  })
  @ApiResponse({
    status: 409,
    description: 'Idempotency-Key reused with another body',
    type: ErrorResponse,
  })
  @RequirePermission(Permission.TASK_WRITE)
  async create(
    @CurrentPrincipal() p: Principal,
    @Body() dto: CreateTaskDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) {
      throw FerryError.validation('Idempotency-Key must be 1 to 255 printable characters');
    }
    await this.resolveUpload(p, dto);
    checkNewTask(dto, this.storeBuckets);
    return this.tasks.create(p, dto, idempotencyKey);
  }

  /**
   * Flexprice's create body (docs/API.md §1): `upload_id` names a file of `POST /v1/uploads` in
   * place of `file_url`; an id this environment did not upload is a 400 naming it.
   */
  private async resolveUpload(p: Principal, dto: CreateTaskDto): Promise<void> {
    const id = dto.upload_id;
    if (id === undefined) return;
    if (dto.file_url !== undefined) {
      const message = 'give file_url or upload_id, not both';
      throw FerryError.validation(message, { fields: { upload_id: [message] } });
    }
    if (dto.task_type !== TaskType.IMPORT) {
      const message = 'upload_id names a file to import; an export takes file_url';
      throw FerryError.validation(message, { fields: { upload_id: [message] } });
    }
    const upload = await this.uploads.findScoped(id, p.tenantId, p.environmentId);
    if (!upload) {
      const message = `upload_id ${JSON.stringify(id)} is not an upload of this environment (POST /v1/uploads gives one)`;
      throw FerryError.validation(message, { fields: { upload_id: [message] } });
    }
    dto.file_url = upload.file_url;
    dto.file_name ??= upload.file_name;
    delete dto.upload_id;
    delete dto.file_provider;
  }

  @Get()
  @ApiOperation({ operationId: 'listTasks', summary: 'List tasks, newest first' })
  @ApiResponse({ status: 200, type: TaskListResponse })
  @ApiResponse({ status: 400, description: 'A filter is not valid', type: ErrorResponse })
  @RequirePermission(Permission.TASK_READ)
  list(@CurrentPrincipal() p: Principal, @Query() query: ListTasksQuery) {
    return this.tasks.list(p, query);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getTask', summary: 'Get one task' })
  @ApiResponse({ status: 200, type: TaskResponse })
  @ApiResponse({
    status: 404,
    description: "No such task (or another tenant's)",
    type: ErrorResponse,
  })
  @RequirePermission(Permission.TASK_READ)
  get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.tasks.get(p, id);
  }

  @Put(':id/status')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'updateTaskStatus',
    summary: 'Cancel (FAILED) or retry (PROCESSING) a task',
    description:
      'Cancel stops the worker within seconds and keeps the committed rows; retry continues from ' +
      'the last committed row. A refused transition is 400 with details {from, to}.',
  })
  @ApiResponse({ status: 200, type: MessageResponse })
  @ApiErrors(400, 404)
  @RequirePermission(Permission.TASK_WRITE)
  changeStatus(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() dto: UpdateTaskStatusDto,
  ) {
    return this.tasks.changeStatus(p, id, dto.task_status);
  }
}
