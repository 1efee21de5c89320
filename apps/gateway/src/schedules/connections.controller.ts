import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';

import { Permission } from '@ferry/contracts';

import { CurrentPrincipal, type Principal, RequirePermission } from '../auth/principal';
import { ApiAuthErrors, ApiErrors } from '../errors/api-errors.decorator';
import {
  ConnectionListResponse,
  ConnectionResponse,
  CreateConnectionDto,
  ListConnectionsQuery,
} from './connection.dto';
import { ConnectionsService } from './connections.service';

/** Where scheduled exports write: S3 buckets with their credentials (docs/API.md §4). */
@ApiTags('Connections')
@ApiSecurity('ApiKeyAuth')
@ApiAuthErrors()
@Controller('v1/connections')
export class ConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    operationId: 'createConnection',
    summary: 'Register an S3 destination; its secrets are encrypted and never returned',
  })
  @ApiResponse({ status: 201, type: ConnectionResponse })
  @ApiErrors(400)
  @RequirePermission(Permission.TASK_WRITE)
  create(@CurrentPrincipal() p: Principal, @Body() dto: CreateConnectionDto) {
    return this.connections.create(p, dto);
  }

  @Get()
  @ApiOperation({ operationId: 'listConnections', summary: 'List connections, newest first' })
  @ApiResponse({ status: 200, type: ConnectionListResponse })
  @ApiErrors(400)
  @RequirePermission(Permission.TASK_READ)
  list(@CurrentPrincipal() p: Principal, @Query() q: ListConnectionsQuery) {
    return this.connections.list(p, q);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getConnection', summary: 'Get one connection (without secrets)' })
  @ApiResponse({ status: 200, type: ConnectionResponse })
  @ApiErrors(404)
  @RequirePermission(Permission.TASK_READ)
  get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.connections.get(p, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteConnection',
    summary: 'Delete a connection (its secrets are wiped)',
  })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiErrors(404)
  @RequirePermission(Permission.TASK_WRITE)
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    await this.connections.remove(p, id);
  }
}
