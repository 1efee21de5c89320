import { Readable } from 'stream';
import type { ReadableStream as WebReadableStream } from 'stream/web';

import type { NatsConnection } from '@nats-io/nats-core';
import { type ObjectStore, Objm, setSha256Backend } from '@nats-io/obj';

import { FerryError } from '@ferry/contracts';

import type { ObjectStorage, PutOptions, StoredObject } from './object-storage';
import { checkStoreBucket } from './object-url';

export interface NatsObjectStorageOptions {
  /**
   * Prepended to bucket names (`<prefix>_<bucket>`), like FERRY_NATS_PREFIX for streams, so that
   * several deployments or test runs on one NATS keep their objects apart.
   */
  bucketPrefix?: string;
  /**
   * Chunk size of stored objects (NATS messages), default 1 MiB (NATS' default max_payload; the
   * library caps it at the server's). A put waits for each chunk's acknowledgement before the
   * next (nats-server 2.9 has no batched publish), so fewer, larger chunks write faster.
   */
  chunkBytes?: number;
  /**
   * Digest chunks with node:crypto (default) rather than the library's pure-JS SHA-256, which
   * made writes about 4× slower. The library loads node:crypto with a dynamic import, which
   * Jest's module VM cannot run: unit specs pass false. The choice is process-wide.
   */
  nativeDigest?: boolean;
  /**
   * The buckets users may name (each is a JetStream stream, made on first use): without a list,
   * any `store://<name>/` would create a stream. Default: no restriction.
   */
  buckets?: readonly string[];
}

/**
 * The built-in store (`store://bucket/key`) on the NATS JetStream Object Store: nothing else has to
 * run. Objects are written and read as chunked streams, so memory stays at a chunk or two.
 */
export class NatsObjectStorage implements ObjectStorage {
  readonly scheme = 'store' as const;
  private readonly objm: Objm;
  private readonly stores = new Map<string, Promise<ObjectStore>>();

  constructor(
    nc: NatsConnection,
    private readonly opts: NatsObjectStorageOptions = {},
  ) {
    this.objm = new Objm(nc);
    setSha256Backend(opts.nativeDigest === false ? 'js' : 'native');
  }

  /** The object store (JetStream stream `OBJ_<name>`) that holds `bucket`. */
  storeName(bucket: string): string {
    const name = this.opts.bucketPrefix ? `${this.opts.bucketPrefix}_${bucket}` : bucket;
    return name.replace(/\./g, '_');
  }

  async put(bucket: string, key: string, body: Readable, opts: PutOptions): Promise<StoredObject> {
    const os = pipelinedChunks(await this.store(bucket));
    const web = Readable.toWeb(body) as unknown as ReadableStream<Uint8Array>;
    try {
      const info = await os.put(
        {
          name: key,
          metadata: { content_type: opts.contentType },
          options: { max_chunk_size: this.opts.chunkBytes ?? 1024 * 1024 },
        },
        web,
        { timeout: 30_000 },
      );
      return { size: info.size };
    } catch (err) {
      body.destroy();
      if (err instanceof FerryError) throw err;
      throw FerryError.transient(`could not store ${key} in the built-in store: ${String(err)}`);
    }
  }

  async get(bucket: string, key: string): Promise<Readable> {
    const os = await this.store(bucket);
    const res = await os.get(key);
    if (!res) throw FerryError.notFound('Object', `store://${bucket}/${key}`);
    const out = Readable.fromWeb(res.data as unknown as WebReadableStream<Uint8Array>);
    // The chunks' digest is checked at the end: a broken object fails the stream, never ends short.
    void res.error.then((err) => {
      if (err)
        out.destroy(
          FerryError.transient(`reading store://${bucket}/${key} failed: ${err.message}`),
        );
    });
    return out;
  }

  /** Size of an object, or null when there is none. */
  async size(bucket: string, key: string): Promise<number | null> {
    const info = await (await this.store(bucket)).info(key);
    return info && !info.deleted ? info.size : null;
  }

  private store(bucket: string): Promise<ObjectStore> {
    const allowed = this.opts.buckets;
    if (allowed) {
      try {
        checkStoreBucket(bucket, allowed);
      } catch (err) {
        return Promise.reject(err as Error);
      }
    }
    const name = this.storeName(bucket);
    let s = this.stores.get(name);
    if (!s) {
      s = this.objm.create(name);
      s.catch(() => this.stores.delete(name));
      this.stores.set(name, s);
    }
    return s;
  }
}

/** Chunk publishes of one put awaiting their acknowledgement at once (docs/DECISIONS.md 144). */
const CHUNKS_IN_FLIGHT = 4;
const CHUNK_SUBJECT = /^\$O\.[^.]+\.C\./;

type Publish = (subject: string, data?: unknown, opts?: unknown) => Promise<unknown>;

/**
 * The object store for one put, its chunk publishes pipelined: the library awaits each chunk's
 * acknowledgement before it sends the next (nats-server 2.9 has no batched publish), so a put
 * went at one round trip per chunk. Here a chunk's publish returns once it is sent and fewer than
 * CHUNKS_IN_FLIGHT are unacknowledged (still backpressure), and the object's metadata message,
 * which makes the object visible, waits for every chunk's acknowledgement first. A failed
 * acknowledgement fails the put as before (the library then purges the chunks). Publishes of one
 * connection are stored in the order sent, so the chunks' order is kept. Built on the library's
 * `js` field; without it the store is used as it is.
 */
function pipelinedChunks(os: ObjectStore): ObjectStore {
  const js = (os as unknown as { js?: { publish?: Publish } }).js;
  if (!js || typeof js.publish !== 'function') return os;
  const real = js.publish.bind(js);
  const inFlight: Array<Promise<unknown>> = [];
  const publish: Publish = async (subject, data, opts) => {
    if (!CHUNK_SUBJECT.test(subject)) {
      await Promise.all(inFlight.splice(0));
      return real(subject, data, opts);
    }
    while (inFlight.length >= CHUNKS_IN_FLIGHT) await inFlight.shift();
    const ack = real(subject, data, opts);
    ack.catch(() => undefined); // awaited above or with the metadata
    inFlight.push(ack);
    return undefined;
  };
  return Object.create(os, { js: { value: Object.create(js, { publish: { value: publish } }) } });
}
