import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';

import { checkWebhookUrl, FerryError, Permission } from '@ferry/contracts';
import { type DeliveryView, WebhookRepository } from '@ferry/persistence';

import { CurrentPrincipal, type Principal, RequirePermission } from '../auth/principal';
import { ApiAuthErrors, ApiErrors } from '../errors/api-errors.decorator';
import {
  CreateWebhookDto,
  ListDeliveriesQuery,
  WebhookResponse,
  WebhookSecretResponse,
} from './webhook.dto';

const scope = (p: Principal) => ({ tenantId: p.tenantId, environmentId: p.environmentId });

/**
 * Webhooks of an environment (docs/API.md §6): the URLs told when any of its tasks ends, the
 * secret of the URLs tasks name themselves, and every delivery with its attempts.
 */
@ApiTags('Webhooks')
@ApiSecurity('ApiKeyAuth')
@ApiAuthErrors()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhookRepository) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    operationId: 'createWebhook',
    summary: 'Register a URL told when a task of the environment ends; answers its secret once',
  })
  @ApiResponse({ status: 201, type: WebhookResponse })
  @ApiErrors(400)
  @RequirePermission(Permission.TASK_WRITE)
  async create(@CurrentPrincipal() p: Principal, @Body() dto: CreateWebhookDto) {
    try {
      checkWebhookUrl(dto.url, 'url');
    } catch (err) {
      const message = (err as Error).message;
      throw FerryError.validation(message, { fields: { url: [message] } });
    }
    return this.webhooks.createEndpoint(scope(p), dto.url, dto.description ?? null, p.userId);
  }

  @Get()
  @ApiOperation({ operationId: 'listWebhooks', summary: "The environment's webhooks" })
  @ApiResponse({ status: 200, type: [WebhookResponse] })
  @RequirePermission(Permission.TASK_READ)
  async list(@CurrentPrincipal() p: Principal) {
    return { items: await this.webhooks.listEndpoints(scope(p)) };
  }

  @Get('secret')
  @ApiOperation({
    operationId: 'getWebhookSecret',
    summary: 'The signing secret of the URLs named by tasks (metadata.webhook_url)',
  })
  @ApiResponse({ status: 200, type: WebhookSecretResponse })
  @RequirePermission(Permission.TASK_WRITE)
  async secret(@CurrentPrincipal() p: Principal): Promise<WebhookSecretResponse> {
    return { secret: await this.webhooks.environmentSecret(scope(p)) };
  }

  @Get('deliveries')
  @ApiOperation({
    operationId: 'listWebhookDeliveries',
    summary: 'Deliveries, newest first (at most 200), each with every attempt',
  })
  @ApiErrors(400)
  @RequirePermission(Permission.TASK_READ)
  async deliveries(
    @CurrentPrincipal() p: Principal,
    @Query() q: ListDeliveriesQuery,
  ): Promise<{ items: DeliveryView[] }> {
    return { items: await this.webhooks.listDeliveries(scope(p), q.task_id ?? null, 200) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteWebhook', summary: 'Stop telling this URL' })
  @ApiErrors(404)
  @RequirePermission(Permission.TASK_WRITE)
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    if (!(await this.webhooks.archiveEndpoint(scope(p), id))) {
      throw FerryError.notFound('Webhook', id);
    }
  }
}
