import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/**
 * The OpenAPI 3 document, generated from the DTOs and controllers: the UI at `/docs`, the JSON at
 * `/docs-json`. Security scheme and enum names follow Flexprice's document, so clients generated
 * from either agree.
 */
export function serveOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Ferry API')
    .setDescription(
      'Asynchronous import and export of usage-based billing data, wire-compatible with the ' +
        'Flexprice Tasks API. Every error has the shape of ErrorResponse.',
    )
    .setVersion('1.0')
    .addServer('/', 'This server')
    .addApiKey({ type: 'apiKey', name: 'x-api-key', in: 'header' }, 'ApiKeyAuth')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
