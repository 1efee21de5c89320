// Sources (http, s3, store), sinks, CSV/JSON streaming codecs, gzip.
export * from './http/address.guard';
export * from './http/redact-url';
export type { HostLookup, ResolvedAddress } from './http/host.resolver';
export { systemLookup } from './http/host.resolver';
export * from './http/http.source';
export * from './gzip/gzip.decompressor';
export * from './csv/csv-record';
export * from './csv/csv.reader';
export { ByteLimitTransform } from './stream/byte-limit.transform';
export * from './csv/formula-cell';
export * from './storage/object-url';
export * from './storage/object-storage';
export * from './storage/nats-object.storage';
export * from './storage/s3-object.storage';
export * from './storage/http-put.destination';
export * from './storage/signed-url';
export * from './storage/storage.config';
export * from './storage/object-storages';
