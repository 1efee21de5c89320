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
export * from './json/json-record';
export * from './json/json.reader';
export { splitJsonObject } from './json/json-object.splitter';
export * from './csv/csv-row.formatter';
