import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';

import { Permission } from '@ferry/contracts';

import { CurrentPrincipal, type Principal, RequirePermission } from '../auth/principal';
import { ApiAuthErrors, ApiErrors } from '../errors/api-errors.decorator';
import {
  CreateApiKeyDto,
  CreateApiKeyResponse,
  EnvironmentDto,
  EnvironmentListResponse,
  EnvironmentResponse,
  ListApiKeysQuery,
  SecretListResponse,
} from './api-key.dto';
import { ApiKeysService } from './api-keys.service';

/** `secrets.*ApiKey` of @flexprice/sdk (docs/API.md §2); every route needs `key:manage`. */
@ApiTags('Secrets')
@ApiSecurity('ApiKeyAuth')
@ApiAuthErrors()
@Controller('v1/secrets/api/keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    operationId: 'createApiKey',
    summary: 'Make an API key in this environment; the key is in this answer only',
  })
  @ApiResponse({ status: 201, type: CreateApiKeyResponse })
  @ApiErrors(400)
  @RequirePermission(Permission.KEY_MANAGE)
  create(@CurrentPrincipal() p: Principal, @Body() dto: CreateApiKeyDto) {
    return this.keys.create(p, dto);
  }

  @Get()
  @ApiOperation({ operationId: 'listApiKeys', summary: "The environment's API keys, newest first" })
  @ApiResponse({ status: 200, type: SecretListResponse })
  @ApiErrors(400)
  @RequirePermission(Permission.KEY_MANAGE)
  list(@CurrentPrincipal() p: Principal, @Query() q: ListApiKeysQuery) {
    return this.keys.list(p, q);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteApiKey',
    summary: 'Revoke an API key: refused from the next request on, on every gateway',
  })
  @ApiResponse({ status: 204 })
  @ApiErrors(404)
  @RequirePermission(Permission.KEY_MANAGE)
  async revoke(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    await this.keys.revoke(p, id);
  }
}

/** `environments.*` of @flexprice/sdk: the tenant's environments (docs/API.md §2). */
@ApiTags('Environments')
@ApiSecurity('ApiKeyAuth')
@ApiAuthErrors()
@Controller('v1/environments')
export class EnvironmentsController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ operationId: 'createEnvironment', summary: 'Add an environment to the tenant' })
  @ApiResponse({ status: 201, type: EnvironmentResponse })
  @ApiErrors(400)
  @RequirePermission(Permission.KEY_MANAGE)
  create(@CurrentPrincipal() p: Principal, @Body() dto: EnvironmentDto) {
    return this.keys.createEnvironment(p, dto);
  }

  @Get()
  @ApiOperation({ operationId: 'listEnvironments', summary: "The tenant's environments" })
  @ApiResponse({ status: 200, type: EnvironmentListResponse })
  @ApiErrors(400)
  @RequirePermission(Permission.KEY_MANAGE)
  list(@CurrentPrincipal() p: Principal, @Query() q: ListApiKeysQuery) {
    return this.keys.listEnvironments(p, q);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getEnvironment', summary: 'One environment of the tenant' })
  @ApiResponse({ status: 200, type: EnvironmentResponse })
  @ApiErrors(404)
  @RequirePermission(Permission.KEY_MANAGE)
  get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.keys.getEnvironment(p, id);
  }

  @Put(':id')
  @ApiOperation({
    operationId: 'updateEnvironment',
    summary: 'Rename an environment or change its type',
  })
  @ApiResponse({ status: 200, type: EnvironmentResponse })
  @ApiErrors(400, 404)
  @RequirePermission(Permission.KEY_MANAGE)
  update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: EnvironmentDto) {
    return this.keys.updateEnvironment(p, id, dto);
  }
}
