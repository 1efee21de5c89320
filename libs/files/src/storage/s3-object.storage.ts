import { Readable } from 'stream';

import {
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  S3Client,
  S3ServiceException,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Agent as HttpAgent } from 'http';
import type { Agent as HttpsAgent } from 'https';

import { FerryError } from '@ferry/contracts';

import type { ObjectStorage, PutOptions, StoredObject } from './object-storage';

export interface S3Settings {
  /** e.g. http://127.0.0.1:9000 for MinIO or s3rver; empty = AWS. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Path-style addressing (`endpoint/bucket/key`), which most S3-compatible servers need. */
  forcePathStyle: boolean;
  sessionToken?: string;
  /** Agents for every request (a connection's endpoint pinned to the address the guard checked). */
  agents?: { httpAgent: HttpAgent; httpsAgent: HttpsAgent };
}

/** Bytes in one multipart part: memory per upload is about queueSize × this. */
const PART_BYTES = 8 * 1024 * 1024;

/** S3-compatible storage (`s3://bucket/key`) through the AWS SDK v3, streamed as a multipart upload. */
export class S3ObjectStorage implements ObjectStorage {
  readonly scheme = 's3' as const;
  readonly client: S3Client;

  constructor(settings: S3Settings) {
    this.client = new S3Client({
      endpoint: settings.endpoint || undefined,
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      credentials:
        settings.accessKeyId !== ''
          ? {
              accessKeyId: settings.accessKeyId,
              secretAccessKey: settings.secretAccessKey,
              sessionToken: settings.sessionToken,
            }
          : undefined,
      requestHandler: settings.agents,
    });
  }

  async put(bucket: string, key: string, body: Readable, opts: PutOptions): Promise<StoredObject> {
    let size = 0;
    body.on('data', (chunk: Buffer) => (size += chunk.length));
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: opts.contentType,
        ServerSideEncryption: opts.serverSideEncryption as ServerSideEncryption | undefined,
      },
      partSize: PART_BYTES,
      queueSize: 2,
    });
    const onAbort = () => void upload.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
      return { size };
    } catch (err) {
      body.destroy();
      throw s3Error(err, `writing s3://${bucket}/${key}`);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  async get(bucket: string, key: string): Promise<Readable> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!(res.Body instanceof Readable)) throw new Error('the response has no body stream');
      return res.Body;
    } catch (err) {
      throw s3Error(err, `reading s3://${bucket}/${key}`);
    }
  }

  /** A presigned GET valid for `ttlSeconds` (the download URL of an export). */
  async presignGet(bucket: string, key: string, ttlSeconds: number): Promise<string> {
    await this.client
      .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
      .catch((err: unknown) => {
        throw s3Error(err, `looking up s3://${bucket}/${key}`);
      });
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: bucket, Key: key }), {
      expiresIn: ttlSeconds,
    });
  }
}

/** A missing object or bucket, or refused credentials, cannot get better by retrying; the rest can. */
function s3Error(err: unknown, doing: string): FerryError {
  if (err instanceof FerryError) return err;
  if (err instanceof NoSuchKey || err instanceof NotFound) {
    return FerryError.validation(`${doing}: no such object`);
  }
  if (err instanceof S3ServiceException) {
    const status = err.$metadata.httpStatusCode ?? 0;
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      return FerryError.validation(`${doing} failed: ${err.name} (${status}) ${err.message}`);
    }
    return FerryError.transient(`${doing} failed: ${err.name} (${status}) ${err.message}`);
  }
  return FerryError.transient(
    `${doing} failed: ${err instanceof Error ? err.message : String(err)}`,
  );
}
