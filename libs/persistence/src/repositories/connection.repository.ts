import { type DataSource } from 'typeorm';

import { ErrorCode, FerryError, type RecordStatus } from '@ferry/contracts';

import { type SecretBox } from '../secret-box';
import { type TaskScope } from './task.types';

/** A connection as every endpoint shows it: never its secrets (docs/API.md §4). */
export interface ConnectionRow {
  id: string;
  tenant_id: string;
  environment_id: string;
  name: string;
  provider_type: 's3';
  metadata: Record<string, unknown>;
  status: RecordStatus;
  created_at: Date;
  updated_at: Date;
  created_by: string | null;
  updated_by: string | null;
}

/** The credentials of an S3 connection, as the exporter and the download link use them. */
export interface S3Secrets {
  aws_access_key_id: string;
  aws_secret_access_key: string;
  aws_session_token?: string;
}

const COLUMNS = `id, tenant_id, environment_id, name, provider_type, metadata, status, created_at,
  updated_at, created_by, updated_by`;

/**
 * The only SQL on `connections`. Secrets go in sealed by the box and come out only through
 * `secrets`; every other read leaves them out, so no response or log can carry them.
 */
export class ConnectionRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly box: SecretBox | null,
  ) {}

  async create(
    c: Omit<ConnectionRow, 'status' | 'created_at' | 'updated_at' | 'updated_by'>,
    secrets: S3Secrets,
  ): Promise<ConnectionRow> {
    const sealed = this.requireBox().seal(JSON.stringify(secrets), c.id);
    const rows: ConnectionRow[] = await this.ds.query(
      `INSERT INTO connections (id, tenant_id, environment_id, name, provider_type,
                                encrypted_secret_data, metadata, created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $8) RETURNING ${COLUMNS}`,
      [
        c.id,
        c.tenant_id,
        c.environment_id,
        c.name,
        c.provider_type,
        sealed,
        JSON.stringify(c.metadata),
        c.created_by,
      ],
    );
    return rows[0];
  }

  /** A published connection of this scope, or null. */
  async find(id: string, scope: TaskScope): Promise<ConnectionRow | null> {
    const rows: ConnectionRow[] = await this.ds.query(
      `SELECT ${COLUMNS} FROM connections
        WHERE id = $1 AND tenant_id = $2 AND environment_id = $3 AND status = 'published'`,
      [id, scope.tenantId, scope.environmentId],
    );
    return rows[0] ?? null;
  }

  async list(
    scope: TaskScope,
    page: { limit: number; offset: number },
  ): Promise<{ items: ConnectionRow[]; total: number }> {
    const where = `tenant_id = $1 AND environment_id = $2 AND status = 'published'`;
    const items: ConnectionRow[] = await this.ds.query(
      `SELECT ${COLUMNS} FROM connections WHERE ${where}
        ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4`,
      [scope.tenantId, scope.environmentId, page.limit, page.offset],
    );
    const [{ n }]: { n: string }[] = await this.ds.query(
      `SELECT count(*) AS n FROM connections WHERE ${where}`,
      [scope.tenantId, scope.environmentId],
    );
    return { items, total: Number(n) };
  }

  /** Archives it (its secrets are wiped); false when there was no such published connection. */
  async archive(id: string, scope: TaskScope, userId: string | null): Promise<boolean> {
    // A CTE, so the driver answers rows (TypeORM gives an UPDATE's [rows, count] otherwise).
    const rows: unknown[] = await this.ds.query(
      `WITH archived AS (
         UPDATE connections SET status = 'archived', encrypted_secret_data = '', updated_at = now(),
                updated_by = $4
          WHERE id = $1 AND tenant_id = $2 AND environment_id = $3 AND status = 'published'
          RETURNING id)
       SELECT id FROM archived`,
      [id, scope.tenantId, scope.environmentId, userId],
    );
    return rows.length > 0;
  }

  /** The decrypted credentials of a published connection of this scope (or not_found). */
  async secrets(id: string, scope: TaskScope): Promise<S3Secrets> {
    const rows: { encrypted_secret_data: string }[] = await this.ds.query(
      `SELECT encrypted_secret_data FROM connections
        WHERE id = $1 AND tenant_id = $2 AND environment_id = $3 AND status = 'published'`,
      [id, scope.tenantId, scope.environmentId],
    );
    if (rows.length === 0) {
      throw FerryError.validation(`connection ${id} was not found (or was deleted)`);
    }
    return JSON.parse(this.requireBox().open(rows[0].encrypted_secret_data, id)) as S3Secrets;
  }

  /** Whether any connection holds secrets: a service must not start without a key then. */
  async anyWithSecrets(): Promise<boolean> {
    const [{ found }]: { found: boolean }[] = await this.ds.query(
      `SELECT EXISTS (SELECT 1 FROM connections WHERE status = 'published') AS found`,
    );
    return found;
  }

  private requireBox(): SecretBox {
    if (!this.box) {
      throw new FerryError(
        ErrorCode.INVALID_OPERATION,
        'Connections need FERRY_SECRETS_KEY, the key their secrets are encrypted with; this Ferry has none set',
      );
    }
    return this.box;
  }
}
