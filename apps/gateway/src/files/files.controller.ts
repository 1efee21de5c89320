import { pipeline } from 'stream/promises';

import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';

import type { Response } from 'express';

import { FerryError } from '@ferry/contracts';
import { ObjectStorages, UrlSigner } from '@ferry/files';

import { Public } from '../auth/principal';
import { ApiErrors } from '../errors/api-errors.decorator';

const CONTENT_TYPES: ReadonlyArray<[RegExp, string]> = [
  [/\.gz$/i, 'application/gzip'],
  [/\.csv$/i, 'text/csv; charset=utf-8'],
  [/\.json$/i, 'application/json'],
];

/**
 * Serves objects of the built-in store by signed link, as a stream. No API key: the signature,
 * which only the gateway can make and which covers the expiry, is the credential (like an S3
 * presigned URL), so the link works with plain curl.
 */
@ApiTags('Downloads')
@Controller('v1/files')
export class FilesController {
  constructor(
    private readonly storages: ObjectStorages,
    private readonly signer: UrlSigner,
  ) {}

  @Get(':bucket')
  @Public()
  @ApiOperation({
    operationId: 'getSignedFile',
    summary: 'A file of the built-in store, by the signed link that download returned (no key)',
  })
  @ApiResponse({ status: 200, description: 'The file, streamed' })
  @ApiErrors(403, 404)
  async serve(
    @Param('bucket') bucket: string,
    @Query('key') key: unknown,
    @Query('expires') expires: unknown,
    @Query('signature') signature: unknown,
    @Query('nonce') nonce: unknown,
    @Res() res: Response,
  ): Promise<void> {
    if (typeof key !== 'string' || typeof expires !== 'string' || typeof signature !== 'string') {
      throw FerryError.forbidden(
        'The download link is not valid (key, expires and signature are required)',
      );
    }
    const problem = this.signer.check(
      bucket,
      key,
      expires,
      signature,
      typeof nonce === 'string' ? nonce : '',
    );
    if (problem === 'expired') {
      throw FerryError.forbidden(
        `The download link expired at ${new Date(Number(expires) * 1000).toISOString()}; GET /v1/tasks/{id}/download issues a new one`,
      );
    }
    if (problem) throw FerryError.forbidden('The download link is not valid');
    const size = await this.storages.store.size(bucket, key);
    if (size === null) throw FerryError.notFound('File', key.slice(key.indexOf('/') + 1));
    const body = await this.storages.store.get(bucket, key);
    const name = key.slice(key.lastIndexOf('/') + 1);
    res.status(200);
    res.setHeader(
      'content-type',
      CONTENT_TYPES.find(([re]) => re.test(name))?.[1] ?? 'application/octet-stream',
    );
    res.setHeader('content-length', String(size));
    res.setHeader('content-disposition', `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"`);
    res.setHeader('cache-control', 'private, no-store');
    // A failure mid-stream cuts the response (the client sees a short body, never a wrong one).
    await pipeline(body, res).catch(() => res.destroy());
  }
}
