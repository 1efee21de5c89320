import type { Readable } from 'stream';

import type { ObjectScheme } from './object-url';

export interface StoredObject {
  /** Bytes stored. */
  size: number;
}

export interface PutOptions {
  contentType: string;
  signal?: AbortSignal;
  /** S3 server-side encryption (`AES256`, `aws:kms`, `aws:kms:dsse`); ignored by the store. */
  serverSideEncryption?: string;
}

/**
 * One object storage backend (the built-in NATS store, S3). Bodies stream in and out: nothing is
 * held in memory beyond a part or a chunk.
 */
export interface ObjectStorage {
  readonly scheme: ObjectScheme;
  /** Streams `body` into bucket/key (replacing an object there) and resolves when it is stored. */
  put(bucket: string, key: string, body: Readable, opts: PutOptions): Promise<StoredObject>;
  /** The object's bytes; a missing object is a non-retryable FerryError (not_found). */
  get(bucket: string, key: string): Promise<Readable>;
}
