import { PassThrough, Readable } from 'stream';

import { Inject, Injectable } from '@nestjs/common';

import busboy from 'busboy';
import type { Request } from 'express';

import { ErrorCode, FerryError, newId } from '@ferry/contracts';
import { ByteLimitTransform, ObjectStorages } from '@ferry/files';
import { UploadRepository } from '@ferry/persistence';

import type { Principal } from '../auth/principal';
import { GatewayConfig } from '../gateway.config';

export const UPLOAD_BUCKET = 'uploads';

/**
 * Streams an upload into the built-in store (never into memory) and answers with the
 * `store://uploads/<upload_id>/<name>` URL an import takes as its file_url.
 */
@Injectable()
export class UploadsService {
  constructor(
    private readonly storages: ObjectStorages,
    @Inject(GatewayConfig) private readonly config: GatewayConfig,
    private readonly uploads: UploadRepository,
  ) {}

  async receive(
    p: Principal,
    req: Request,
    fileName?: string,
  ): Promise<{ upload_id: string; file_url: string; file_name: string; size: number }> {
    const max = this.config.FERRY_UPLOAD_MAX_BYTES;
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > max) throw tooLarge(max);
    const contentType = req.headers['content-type'] ?? 'application/octet-stream';
    const { stream, name } = /^multipart\/form-data/i.test(contentType)
      ? await firstFilePart(req)
      : { stream: req as Readable, name: fileName ?? 'file' };
    const uploadId = newId('upload');
    const safeName = sanitize(fileName ?? name);
    const key = `${uploadId}/${safeName}`;
    const limited = new ByteLimitTransform(max, () => tooLarge(max));
    stream.on('error', (err) => limited.destroy(err));
    stream.pipe(limited);
    const fileUrl = `store://${UPLOAD_BUCKET}/${key}`;
    let limitError: Error | null = null;
    limited.on('error', (err) => (limitError = err));
    try {
      const stored = await this.storages.store.put(
        UPLOAD_BUCKET,
        this.storages.storedKey({ scheme: 'store', bucket: UPLOAD_BUCKET, key }, p.environmentId),
        limited,
        { contentType: 'application/octet-stream' },
      );
      const upload = { id: uploadId, file_url: fileUrl, file_name: safeName, size: stored.size };
      await this.uploads.insert(p, upload);
      return { upload_id: uploadId, file_url: fileUrl, file_name: safeName, size: stored.size };
    } catch (err) {
      req.resume();
      throw limitError ?? err;
    }
  }
}

function tooLarge(max: number): FerryError {
  return new FerryError(
    ErrorCode.VALIDATION,
    `The upload is larger than the ${max} bytes allowed (FERRY_UPLOAD_MAX_BYTES)`,
    { max_bytes: max },
    413,
  );
}

/** A name safe as an object key segment: letters, digits, dot, dash, underscore. */
function sanitize(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const clean = base
    .replace(/[^\w.-]/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 200);
  return clean || 'file';
}

/** The first file part of a multipart body, as a stream, once its head has arrived. */
function firstFilePart(req: Request): Promise<{ stream: Readable; name: string }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1 } });
    } catch (err) {
      reject(FerryError.validation(`The multipart body cannot be read: ${(err as Error).message}`));
      return;
    }
    let found = false;
    parser.on('file', (_field, file, info) => {
      if (found) return file.resume();
      found = true;
      const out = new PassThrough();
      file.on('error', (err: Error) => out.destroy(err));
      file.pipe(out);
      resolve({ stream: out, name: info.filename || 'file' });
    });
    parser.on('error', (err: Error) =>
      reject(FerryError.validation(`The multipart body cannot be read: ${err.message}`)),
    );
    parser.on('close', () => {
      if (!found) reject(FerryError.validation('The multipart body has no file part'));
    });
    req.pipe(parser);
  });
}
