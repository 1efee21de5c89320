import { type DataSource } from 'typeorm';

/** One file received by `POST /v1/uploads`, as an import's `upload_id` names it. */
export interface UploadRow {
  id: string;
  file_url: string;
  file_name: string;
  size: number;
}

/** The uploads of each environment, so `upload_id` resolves only where it was uploaded. */
export class UploadRepository {
  constructor(private readonly ds: DataSource) {}

  async insert(
    scope: { tenantId: string; environmentId: string; userId: string | null },
    upload: UploadRow,
  ): Promise<void> {
    await this.ds.query(
      `INSERT INTO uploads (id, tenant_id, environment_id, file_url, file_name, size, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        upload.id,
        scope.tenantId,
        scope.environmentId,
        upload.file_url,
        upload.file_name,
        upload.size,
        scope.userId,
      ],
    );
  }

  /** The upload of that id in the tenant's environment, or null (another scope's is null too). */
  async findScoped(id: string, tenantId: string, environmentId: string): Promise<UploadRow | null> {
    const rows: Array<UploadRow & { size: string }> = await this.ds.query(
      `SELECT id, file_url, file_name, size FROM uploads
       WHERE id = $1 AND tenant_id = $2 AND environment_id = $3`,
      [id, tenantId, environmentId],
    );
    return rows[0] ? { ...rows[0], size: Number(rows[0].size) } : null;
  }
}
