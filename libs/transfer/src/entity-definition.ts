import type { PoolClient } from 'pg';

import { type EntityType, type RowError } from '@ferry/contracts';

import type { RevertShape } from './pipeline/import-revert';

/** Who and what an import writes for: every record gets these, and derived ids use the task. */
export interface ImportScope {
  tenantId: string;
  environmentId: string;
  taskId: string;
  /**
   * Stands in for a blank time cell (an event's `timestamp`): the task's creation time, the same
   * in every delivery and retry, since it is part of an event's key (docs/DECISIONS.md 122).
   */
  importTime: Date;
  /**
   * A dry run whose entity has `dryWriteBatch`: the mapper may make the leaner records that
   * writer reads (events: docs/DECISIONS.md 112). Absent: a real (or atomic) import.
   */
  dryRun?: boolean;
}

/** An entity's row mapping, compiled once per file from its header. */
export interface CompiledRowMapper<R> {
  /** Columns of the header that the entity does not know (listed in metadata.ignored_columns). */
  ignoredColumns: string[];
  /**
   * Maps one CSV record's cells to a record, or a RowError (code + message naming the column and
   * the bad value; raw = original cells by header name).
   */
  map(values: string[], line: number): R | RowError;
  /**
   * What the last `map` ignored with a warning (a cell in a column that does not apply to the
   * row: docs/FORMATS.md §2), as sentences naming the column; null when nothing. A CSV row may be
   * shorter than the header: a missing trailing cell is an absent column.
   */
  takeWarnings?(): string[] | null;
}

export interface BatchWriteResult {
  /** Records now in the table because of this batch. */
  written: number;
  /** Records skipped because they were already there (or twice in the batch): still successful. */
  duplicates: number;
  /** Records the database refused (e.g. a value out of its range), one RowError each. */
  rowErrors: RowError[];
  /**
   * How the written and duplicate records split (docs/API.md §3, `metadata.created` …): new ones,
   * existing ones changed, existing ones left as they were. Absent: every written one is new and
   * every duplicate unchanged.
   */
  outcome?: WriteOutcome;
  /**
   * Existing rows this batch changed for the first time in its task (upserting entity types;
   * their before-images were kept for a revert): `metadata.changed` of the task.
   */
  changed?: number;
}

export interface WriteOutcome {
  created: number;
  updated: number;
  unchanged: number;
}

/** The contract every entity folder implements; the generic import pipeline drives it. */
export interface EntityImportDefinition<R> {
  entity: EntityType;
  requiredColumns: readonly string[];
  /** Compiles the header once; throws a non-retryable FerryError naming every missing required column. */
  compile(header: string[], scope: ImportScope): CompiledRowMapper<R>;
  /**
   * True when two batches may be written at once on two connections (committed in order): the
   * writes must not read what an earlier batch of the same file wrote before writing (plain
   * inserts that skip a key already there, a single INSERT … ON CONFLICT DO UPDATE; not a SELECT
   * followed by a write).
   */
  parallelWrites?: boolean;
  /**
   * True when the rows of a file do not depend on their order (plain inserts with a duplicate
   * rule, events): a large file may then be read in parts by several importers at once
   * (docs/DECISIONS.md 128). Upserting entity types are not: a later row of the file must win.
   */
  splittable?: boolean;
  /**
   * The writes keep the before-image of each existing row they change (table
   * `import_before_images`, for a revert): the task's `metadata.changed` counts them.
   */
  keepsBeforeImages?: boolean;
  /** How a revert undoes this entity type's import (docs/API.md §5). */
  revert: RevertShape;
  /** Writes a batch inside the caller's open transaction on `client` (pg.PoolClient). */
  writeBatch(client: PoolClient, records: R[], scope: ImportScope): Promise<BatchWriteResult>;
  /**
   * A dry run's write (docs/API.md §1 `dry_run`), when the entity has a faster one than
   * `writeBatch` in a transaction that is rolled back: the same result (written, duplicates, the
   * database's row errors) against the real tables and the run's earlier batches, writing no
   * entity row. Without it a dry run calls `writeBatch` in one session that is rolled back.
   */
  dryWriteBatch?(client: PoolClient, records: R[], scope: ImportScope): Promise<BatchWriteResult>;
  /**
   * With `dryWriteBatch`, a dry run commits per batch as an import does (what it writes is its own,
   * not an entity row); this drops what it wrote once the run is over.
   */
  dryFinish?(client: PoolClient, scope: ImportScope): Promise<void>;
  /**
   * With `dryWriteBatch`, committed once before a dry run's first batch (and again when it
   * resumes): what its batches write into, so parallel writers never race to make it. True when
   * it had to make it: a resumed run then writes the records it counted before into it again.
   */
  dryPrepare?(client: PoolClient, scope: ImportScope): Promise<boolean | void>;
}
