import type { NatsConnection } from '@nats-io/nats-core';

import { ErrorCode, FerryError } from '@ferry/contracts';

import { NatsObjectStorage, type NatsObjectStorageOptions } from './nats-object.storage';
import type { ObjectStorage } from './object-storage';
import { type ObjectLocation, parseSourceObjectUrl, storeBucketList } from './object-url';
import { S3ObjectStorage } from './s3-object.storage';
import type { StorageConfig } from './storage.config';

/** The configured backends, by URL scheme: `store://` (built in, always) and `s3://`. */
export class ObjectStorages {
  constructor(
    readonly store: NatsObjectStorage,
    readonly s3: S3ObjectStorage,
  ) {}

  static fromConfig(
    config: StorageConfig,
    nc: NatsConnection,
    storeOptions: NatsObjectStorageOptions = {},
  ): ObjectStorages {
    return new ObjectStorages(
      new NatsObjectStorage(nc, {
        bucketPrefix: config.FERRY_NATS_PREFIX || undefined,
        buckets: storeBucketList(config.FERRY_STORE_BUCKETS),
        ...storeOptions,
      }),
      new S3ObjectStorage({
        endpoint: config.FERRY_S3_ENDPOINT,
        region: config.FERRY_S3_REGION,
        accessKeyId: config.FERRY_S3_ACCESS_KEY_ID,
        secretAccessKey: config.FERRY_S3_SECRET_ACCESS_KEY,
        forcePathStyle: config.FERRY_S3_FORCE_PATH_STYLE,
      }),
    );
  }

  backend(scheme: ObjectLocation['scheme']): ObjectStorage {
    return scheme === 'store' ? this.store : this.s3;
  }

  /**
   * The key an object really has. The built-in store is one namespace per environment: its keys
   * are stored under `<environment_id>/`, so no tenant can read or overwrite another's objects
   * by naming them. S3 buckets are the operator's, addressed as given.
   */
  storedKey(loc: ObjectLocation, environmentId: string): string {
    return loc.scheme === 'store' ? `${environmentId}/${loc.key}` : loc.key;
  }

  /** Opens `store://` or `s3://` for reading (an import's source), as seen by an environment. */
  async open(url: string, environmentId: string) {
    const loc = parseSourceObjectUrl(url);
    try {
      return await this.backend(loc.scheme).get(loc.bucket, this.storedKey(loc, environmentId));
    } catch (err) {
      // The stored key carries the environment; the user knows the URL they gave.
      if (err instanceof FerryError && err.code === ErrorCode.NOT_FOUND) {
        throw FerryError.validation(`file_url ${url} was not found in the built-in store`);
      }
      throw err;
    }
  }
}
