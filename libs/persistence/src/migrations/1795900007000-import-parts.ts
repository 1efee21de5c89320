import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 16, one task on many importers (docs/ARCHITECTURE.md invariant 6, docs/DECISIONS.md 128):
 * a split import keeps its plan on part 0's checkpoint (the parts, the header bytes every part
 * reads first, the records the scan counted, the file's validator) and one checkpoint row per
 * part with its byte range and the file's line it starts on. Part 0 of a split task reads no
 * bytes: it holds the task's sums and its status `seq`, which every part's batch moves.
 */
export class ImportParts1795900007000 implements MigrationInterface {
  name = 'ImportParts1795900007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE task_checkpoints
        ADD COLUMN parts integer NOT NULL DEFAULT 0,
        ADD COLUMN planned_records bigint,
        ADD COLUMN header bytea,
        ADD COLUMN header_lines integer,
        ADD COLUMN source_validator text,
        ADD COLUMN range_start bigint,
        ADD COLUMN range_end bigint,
        ADD COLUMN first_line bigint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE task_checkpoints
        DROP COLUMN parts, DROP COLUMN planned_records, DROP COLUMN header,
        DROP COLUMN header_lines, DROP COLUMN source_validator, DROP COLUMN range_start,
        DROP COLUMN range_end, DROP COLUMN first_line`);
  }
}
