import { randomBytes } from 'crypto';

import { Inject, Injectable } from '@nestjs/common';

import { ErrorCode, FerryError, TaskStatus, TaskType } from '@ferry/contracts';
import { ObjectStorages, parseObjectUrl, UrlSigner } from '@ferry/files';
import { TaskRepository } from '@ferry/persistence';

import type { Principal } from '../auth/principal';
import { GatewayConfig } from '../gateway.config';

/**
 * Download links of finished exports, issued anew on every call: a presigned GET for S3, and for
 * the built-in store a gateway URL signed with an HMAC over bucket, key and expiry.
 */
@Injectable()
export class DownloadsService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly storages: ObjectStorages,
    private readonly signer: UrlSigner,
    @Inject(GatewayConfig) private readonly config: GatewayConfig,
  ) {}

  async downloadUrl(
    p: Principal,
    id: string,
  ): Promise<{ download_url: string; expires_at: string }> {
    const task = await this.tasks.findScoped(id, p.tenantId, p.environmentId);
    if (!task) throw FerryError.notFound('Task', id);
    if (task.task_type !== TaskType.EXPORT) {
      throw new FerryError(
        ErrorCode.INVALID_OPERATION,
        `Task ${id} is an import: only an export has a file to download`,
        { task_type: task.task_type },
      );
    }
    if (task.task_status !== TaskStatus.COMPLETED) {
      // As Flexprice answers (docs/API.md §1): the file does not exist yet, or never will.
      throw new FerryError(
        ErrorCode.NOT_FOUND,
        `Task ${id} is ${task.task_status}: its file can be downloaded once the export has COMPLETED`,
        { task_status: task.task_status },
      );
    }
    if (/^https?:\/\//i.test(task.file_url)) {
      throw new FerryError(
        ErrorCode.INVALID_OPERATION,
        `Task ${id} wrote its file to the URL you gave (PUT); Ferry keeps no copy to download`,
      );
    }
    if (task.metadata['connection']) {
      // docs/DECISIONS.md decision 75: the file is in the tenant's own bucket; presigning would
      // need a request to the tenant's endpoint from the gateway, which has no SSRF allow-list.
      throw new FerryError(
        ErrorCode.INVALID_OPERATION,
        `Task ${id} wrote its file to your own bucket through a connection (${task.file_url}); download it from there`,
      );
    }
    const ttl = this.config.FERRY_DOWNLOAD_TTL_SECONDS;
    const expiresAtSec = Math.floor(Date.now() / 1000) + ttl;
    const loc = parseObjectUrl(task.file_url);
    const key = this.storages.storedKey(loc, task.environment_id);
    let url: string;
    if (loc.scheme === 's3') {
      url = await this.storages.s3.presignGet(loc.bucket, key, ttl);
    } else {
      if ((await this.storages.store.size(loc.bucket, key)) === null) {
        throw FerryError.notFound('Export file', task.file_url);
      }
      const nonce = randomBytes(6).toString('base64url');
      const q = new URLSearchParams({
        key,
        expires: String(expiresAtSec),
        nonce,
        signature: this.signer.sign(loc.bucket, key, expiresAtSec, nonce),
      });
      url = `${publicBase(this.config)}/v1/files/${encodeURIComponent(loc.bucket)}?${q.toString()}`;
    }
    return { download_url: url, expires_at: new Date(expiresAtSec * 1000).toISOString() };
  }
}

export function publicBase(config: GatewayConfig): string {
  return (config.FERRY_PUBLIC_URL || `http://${config.HOST}:${config.PORT}`).replace(/\/+$/, '');
}
