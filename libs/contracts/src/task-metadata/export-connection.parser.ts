import { refuseMetadata, shown } from './metadata-refusal';

/** Server-side encryption an S3 connection's objects may ask for (Flexprice's S3EncryptionType). */
export const S3_ENCRYPTIONS = ['AES256', 'aws:kms', 'aws:kms:dsse'] as const;
export type S3Encryption = (typeof S3_ENCRYPTIONS)[number];

/**
 * Where an `s3://` export goes when it is not the operator's S3 (docs/API.md §4): a registered
 * connection (`/v1/connections`) holds the credentials, encrypted; these are its non-secret
 * settings, as Flexprice's job_config names them.
 */
export interface ExportConnection {
  connection_id: string;
  region: string;
  /** A custom endpoint (MinIO, another S3-compatible server); null = AWS. */
  endpoint_url: string | null;
  use_path_style: boolean;
  encryption: S3Encryption | null;
}

export const CONNECTION_ID = /^conn_[0-9A-HJKMNP-TV-Z]{26}$/;
const REGION = /^[a-z0-9-]{1,64}$/;

/**
 * `metadata.connection` of an export: null when absent; else an object with a `connection_id`
 * and the S3 settings, or a validation FerryError naming the key (a 400 at the gateway, a FAILED
 * task at the exporter). Whether the connection exists is for the caller to check.
 */
export function parseExportConnection(
  metadata: Readonly<Record<string, unknown>>,
): ExportConnection | null {
  const c = metadata['connection'];
  if (c === undefined || c === null) return null;
  if (typeof c !== 'object' || Array.isArray(c)) {
    refuseMetadata('connection', `metadata.connection must be an object, not ${shown(c)}`);
  }
  const o = c as Record<string, unknown>;
  const bad = (key: string, rule: string): never =>
    refuseMetadata(`connection.${key}`, `metadata.connection.${key} ${rule}, not ${shown(o[key])}`);
  for (const key of Object.keys(o)) {
    if (
      !['connection_id', 'region', 'endpoint_url', 'use_path_style', 'encryption'].includes(key)
    ) {
      refuseMetadata(
        `connection.${key}`,
        `metadata.connection.${key} is not a setting of a connection`,
      );
    }
  }
  if (typeof o['connection_id'] !== 'string' || !CONNECTION_ID.test(o['connection_id'])) {
    bad('connection_id', 'must be the id of a connection (conn_…)');
  }
  const region = o['region'] ?? 'us-east-1';
  if (typeof region !== 'string' || !REGION.test(region))
    bad('region', 'must be an S3 region such as eu-west-1');
  const endpoint = o['endpoint_url'] ?? null;
  if (
    endpoint !== null &&
    (typeof endpoint !== 'string' ||
      !/^https?:\/\/[^\s/?#@]+(\/\S*)?$/i.test(endpoint) ||
      endpoint.length > 2048)
  ) {
    bad('endpoint_url', 'must be an http(s):// URL without credentials');
  }
  const pathStyle = o['use_path_style'] ?? false;
  if (typeof pathStyle !== 'boolean') bad('use_path_style', 'must be true or false');
  const encryption = o['encryption'] ?? null;
  if (encryption !== null && !S3_ENCRYPTIONS.includes(encryption as S3Encryption)) {
    bad('encryption', `must be one of ${S3_ENCRYPTIONS.join(', ')}`);
  }
  return {
    connection_id: o['connection_id'] as string,
    region: region as string,
    endpoint_url: endpoint as string | null,
    use_path_style: pathStyle as boolean,
    encryption: encryption as S3Encryption | null,
  };
}
